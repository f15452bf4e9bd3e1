package mail

// Layout wraps a rendered template body in a minimal standalone HTML
// document with inline styles (mail clients ignore external CSS). body is
// trusted HTML and is not escaped; the text alternative is generated from
// the result, skipping the head.
func Layout(body string) string {
	return layoutHead + body + layoutFoot
}

const layoutHead = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body { margin: 0; padding: 0; background: #f4f5f7; color: #1f2933; font: 15px/1.5 -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; }
.wrapper { padding: 24px 12px; }
.content { max-width: 560px; margin: 0 auto; padding: 24px 28px; background: #ffffff; border-radius: 6px; }
a { color: #1a5fb4; }
.btn { display: inline-block; padding: 10px 18px; background: #1f2933; color: #ffffff !important; text-decoration: none; border-radius: 4px; }
.code { font-size: 22px; letter-spacing: 3px; }
i { color: #616e7c; }
</style>
</head>
<body>
<div class="wrapper">
<div class="content">
`

const layoutFoot = `
</div>
</div>
</body>
</html>
`
