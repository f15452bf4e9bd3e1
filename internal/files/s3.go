package files

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"io"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/propagation"
)

// S3Config configures an S3 storage; it mirrors settings.s3 (spec §1.9).
type S3Config struct {
	Bucket string
	// Region defaults to "us-east-1".
	Region string
	// Endpoint is the server's base URL, e.g. "https://s3.eu-west-1.amazonaws.com"
	// or "http://127.0.0.1:9000". A missing scheme means https.
	Endpoint  string
	AccessKey string
	Secret    string
	// ForcePathStyle addresses the bucket as "<endpoint>/<bucket>/<key>"
	// instead of "<bucket>.<endpoint host>/<key>"; most self-hosted servers
	// need it.
	ForcePathStyle bool

	// HTTPClient defaults to a client with a 30 s dial/TLS/response-header
	// timeout; the body transfer itself is bounded by the ctx of each call.
	HTTPClient *http.Client
	// Now defaults to time.Now; it dates the request signatures.
	Now func() time.Time
	// Rand defaults to RandomString; Test uses it to name its probe object.
	Rand func(n int) string
}

// S3 is a Storage on an S3-compatible object store.
type S3 struct {
	cfg      S3Config
	endpoint *url.URL
	signer   *v4.Signer // one per client: its key cache ignores the secret
}

var _ Storage = (*S3)(nil)

// S3Error is a failed S3 request: the HTTP status plus S3's error code and
// message when the server sent an XML error body.
type S3Error struct {
	Op         string
	StatusCode int
	Code       string
	Message    string
}

// Error formats the operation, status and S3 error code; it never
// contains credentials.
func (e *S3Error) Error() string {
	return fmt.Sprintf("s3 %s: %d %s: %s", e.Op, e.StatusCode, e.Code, e.Message)
}

// Is makes a missing key match ErrNotFound: a 404 with code NoSuchKey, or
// a bodiless 404 (HEAD). Other 404s, such as NoSuchBucket or an unknown
// access key on some servers, are configuration errors and must surface as
// such rather than as a missing file.
func (e *S3Error) Is(target error) bool {
	return target == ErrNotFound && e.StatusCode == http.StatusNotFound &&
		(e.Code == "NoSuchKey" || e.Code == http.StatusText(http.StatusNotFound))
}

// NewS3 validates cfg and returns the storage. It does no network I/O; use
// Test to check the configuration against the server.
func NewS3(cfg S3Config) (*S3, error) {
	if cfg.Bucket == "" || cfg.Endpoint == "" || cfg.AccessKey == "" || cfg.Secret == "" {
		return nil, errors.New("s3: bucket, endpoint, access key and secret are required")
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	ep := cfg.Endpoint
	if !strings.Contains(ep, "://") {
		ep = "https://" + ep
	}
	u, err := url.Parse(ep)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("s3: invalid endpoint %q", cfg.Endpoint)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = ""
	if cfg.HTTPClient == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.ResponseHeaderTimeout = 30 * time.Second
		// Each call becomes a client span of the caller's trace, with
		// the W3C traceparent sent along (nothing when traces are off).
		cfg.HTTPClient = &http.Client{Transport: otelhttp.NewTransport(t, otelhttp.WithPropagators(propagation.TraceContext{}))}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Rand == nil {
		cfg.Rand = RandomString
	}
	return &S3{cfg: cfg, endpoint: u, signer: newSigner()}, nil
}

// objectURL returns the URL of key ("" for the bucket itself).
func (s *S3) objectURL(key string, query url.Values) *url.URL {
	u := *s.endpoint
	var p string
	if s.cfg.ForcePathStyle {
		p = u.Path + "/" + s.cfg.Bucket + "/" + key
	} else {
		u.Host = s.cfg.Bucket + "." + u.Host
		p = u.Path + "/" + key
	}
	u.Path = p
	u.RawPath = uriEncode(p, false)
	u.RawQuery = canonicalQuery(query)
	return &u
}

// do signs and sends a request. body may be nil; payloadHash is the hex
// SHA-256 of body or unsignedPayload.
func (s *S3) do(ctx context.Context, op, method string, u *url.URL, hdr http.Header, body io.Reader, size int64, payloadHash string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("s3 %s: %w", op, err)
	}
	req.URL = u // keep our exact encoding (String/Parse could normalise it)
	if body != nil {
		req.ContentLength = size
		if size == 0 {
			req.Body = http.NoBody
		}
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	if payloadHash == "" {
		payloadHash = emptySHA256
	}
	if err := sign(s.signer, req, s.cfg.AccessKey, s.cfg.Secret, s.cfg.Region, payloadHash, s.cfg.Now()); err != nil {
		return nil, fmt.Errorf("s3 %s: sign: %w", op, err)
	}
	resp, err := s.cfg.HTTPClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("s3 %s: %w", op, err)
	}
	if resp.StatusCode >= 300 {
		defer resp.Body.Close()
		return nil, readS3Error(op, resp)
	}
	return resp, nil
}

func readS3Error(op string, resp *http.Response) error {
	e := &S3Error{Op: op, StatusCode: resp.StatusCode}
	var body struct {
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	}
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if xml.Unmarshal(data, &body) == nil {
		e.Code, e.Message = body.Code, body.Message
	}
	if e.Code == "" {
		e.Code = http.StatusText(resp.StatusCode)
	}
	return e
}

// drain reads a little of the body before closing so the connection can be
// reused, then closes it.
func drain(resp *http.Response) {
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
}

// Put uploads r. S3 needs the length up front, so an unknown size (-1) is
// first spooled to a temporary file.
func (s *S3) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	if err := ValidateKey(key); err != nil {
		return err
	}
	if size < 0 {
		tmp, err := os.CreateTemp("", "basalt-s3-*")
		if err != nil {
			return fmt.Errorf("s3 put %s: %w", key, err)
		}
		defer os.Remove(tmp.Name())
		defer tmp.Close()
		if size, err = io.Copy(tmp, ctxReader{ctx, r}); err != nil {
			return fmt.Errorf("s3 put %s: %w", key, err)
		}
		if _, err := tmp.Seek(0, io.SeekStart); err != nil {
			return fmt.Errorf("s3 put %s: %w", key, err)
		}
		r = tmp
	}
	hdr := http.Header{}
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	hdr.Set("Content-Type", contentType)
	// exactReader plus the exact ContentLength make the request fail, rather
	// than store a short or truncated object, when r does not yield exactly
	// size bytes.
	body := &exactReader{r: r, size: size}
	if size == 0 {
		if err := body.checkNoMore(); err != nil {
			return fmt.Errorf("s3 put %s: %w", key, err)
		}
	}
	resp, err := s.do(ctx, "put "+key, http.MethodPut, s.objectURL(key, nil), hdr, body, size, unsignedPayload)
	if err != nil {
		if body.mismatch {
			return fmt.Errorf("s3 put %s: %w: %v", key, ErrSizeMismatch, err)
		}
		return err
	}
	drain(resp)
	if body.n != size {
		return fmt.Errorf("s3 put %s: %w", key, ErrSizeMismatch)
	}
	return nil
}

// exactReader yields exactly size bytes of r. When r has more, it fails
// instead of returning the last chunk, so the HTTP body is cut short and the
// server refuses it; when r has fewer, net/http fails the request.
type exactReader struct {
	r        io.Reader
	size, n  int64
	mismatch bool
}

func (e *exactReader) Read(p []byte) (int, error) {
	if e.n >= e.size {
		return 0, io.EOF
	}
	if rem := e.size - e.n; int64(len(p)) > rem {
		p = p[:rem]
	}
	n, err := e.r.Read(p)
	if e.n+int64(n) == e.size {
		if err := e.checkNoMore(); err != nil {
			return 0, err
		}
	}
	e.n += int64(n)
	if err == io.EOF && e.n < e.size {
		e.mismatch = true
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

func (e *exactReader) checkNoMore() error {
	var one [1]byte
	if m, _ := io.ReadFull(e.r, one[:]); m > 0 {
		e.mismatch = true
		return fmt.Errorf("%w: more than %d bytes", ErrSizeMismatch, e.size)
	}
	return nil
}

func infoFromHeader(key string, h http.Header) ObjectInfo {
	info := ObjectInfo{Key: key, ContentType: h.Get("Content-Type")}
	info.Size, _ = strconv.ParseInt(h.Get("Content-Length"), 10, 64)
	if t, err := http.ParseTime(h.Get("Last-Modified")); err == nil {
		info.ModTime = t
	}
	return info
}

// Stat sends a HEAD request.
func (s *S3) Stat(ctx context.Context, key string) (ObjectInfo, error) {
	if err := ValidateKey(key); err != nil {
		return ObjectInfo{}, err
	}
	resp, err := s.do(ctx, "stat "+key, http.MethodHead, s.objectURL(key, nil), nil, nil, 0, "")
	if err != nil {
		return ObjectInfo{}, err
	}
	resp.Body.Close()
	return infoFromHeader(key, resp.Header), nil
}

// Exists sends a HEAD request; 404 means false.
func (s *S3) Exists(ctx context.Context, key string) (bool, error) {
	_, err := s.Stat(ctx, key)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// Delete removes key; S3 itself treats a missing key as success.
func (s *S3) Delete(ctx context.Context, key string) error {
	if err := ValidateKey(key); err != nil {
		return err
	}
	resp, err := s.do(ctx, "delete "+key, http.MethodDelete, s.objectURL(key, nil), nil, nil, 0, "")
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	drain(resp)
	return nil
}

// List pages through ListObjectsV2.
func (s *S3) List(ctx context.Context, prefix string) ([]ObjectInfo, error) {
	if err := validateKeyPrefix(prefix); err != nil {
		return nil, err
	}
	var out []ObjectInfo
	token := ""
	for {
		q := url.Values{"list-type": {"2"}, "prefix": {prefix}}
		if token != "" {
			q.Set("continuation-token", token)
		}
		resp, err := s.do(ctx, "list "+prefix, http.MethodGet, s.objectURL("", q), nil, nil, 0, "")
		if err != nil {
			return nil, err
		}
		var page struct {
			IsTruncated           bool
			NextContinuationToken string
			Contents              []struct {
				Key          string
				Size         int64
				LastModified time.Time
			}
		}
		err = xml.NewDecoder(resp.Body).Decode(&page)
		drain(resp)
		if err != nil {
			return nil, fmt.Errorf("s3 list %q: %w", prefix, err)
		}
		for _, c := range page.Contents {
			out = append(out, ObjectInfo{Key: c.Key, Size: c.Size, ModTime: c.LastModified})
		}
		if !page.IsTruncated || page.NextContinuationToken == "" {
			return out, nil // S3 returns keys sorted
		}
		token = page.NextContinuationToken
	}
}

// DeletePrefix lists and deletes one object at a time: DeleteObjects would
// save round trips but needs Content-MD5 and is missing from some
// S3-compatible servers, and record cleanups delete a handful of files.
func (s *S3) DeletePrefix(ctx context.Context, prefix string) error {
	if prefix == "" {
		return fmt.Errorf("%w: empty prefix", ErrInvalidKey)
	}
	objs, err := s.List(ctx, prefix)
	if err != nil {
		return err
	}
	var errs []error
	for _, o := range objs {
		if err := s.Delete(ctx, o.Key); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Copy is a server-side CopyObject.
func (s *S3) Copy(ctx context.Context, srcKey, dstKey string) error {
	if err := ValidateKey(srcKey); err != nil {
		return err
	}
	if err := ValidateKey(dstKey); err != nil {
		return err
	}
	hdr := http.Header{}
	hdr.Set("X-Amz-Copy-Source", uriEncode("/"+s.cfg.Bucket+"/"+srcKey, false))
	resp, err := s.do(ctx, "copy "+srcKey, http.MethodPut, s.objectURL(dstKey, nil), hdr, nil, 0, "")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	// CopyObject may fail after sending 200: the error is then in the body.
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return fmt.Errorf("s3 copy %s: %w", srcKey, err)
	}
	if bytes.Contains(data, []byte("<Error>")) {
		var e struct{ Code, Message string }
		xml.Unmarshal(data, &e)
		return &S3Error{Op: "copy " + srcKey, StatusCode: resp.StatusCode, Code: e.Code, Message: e.Message}
	}
	return nil
}

// Test checks that the configuration works the way PocketBase's settings
// test does: upload a probe object under a random prefix, then delete the
// prefix, which exercises put, list and delete permissions.
func (s *S3) Test(ctx context.Context) error {
	prefix := "basalt_settings_test_" + s.cfg.Rand(5) + "/"
	if err := s.Put(ctx, prefix+"test.txt", strings.NewReader("test"), 4, "text/plain"); err != nil {
		return err
	}
	return s.DeletePrefix(ctx, prefix)
}

// Open starts a GET of the whole object and reads lazily; Seek is free and
// the next Read after a Seek issues a ranged GET from the new offset. This
// suits http.ServeContent, which seeks to the requested range, and full
// downloads, which need one request.
func (s *S3) Open(ctx context.Context, key string) (Object, error) {
	if err := ValidateKey(key); err != nil {
		return nil, err
	}
	resp, err := s.do(ctx, "get "+key, http.MethodGet, s.objectURL(key, nil), nil, nil, 0, "")
	if err != nil {
		return nil, err
	}
	return &s3Object{s: s, ctx: ctx, info: infoFromHeader(key, resp.Header), body: resp.Body}, nil
}

type s3Object struct {
	s    *S3
	ctx  context.Context
	info ObjectInfo

	pos     int64         // logical read position
	body    io.ReadCloser // open response body, or nil
	bodyPos int64         // offset body will read next
}

func (o *s3Object) Size() int64         { return o.info.Size }
func (o *s3Object) ModTime() time.Time  { return o.info.ModTime }
func (o *s3Object) ContentType() string { return o.info.ContentType }

func (o *s3Object) Read(p []byte) (int, error) {
	if o.pos >= o.info.Size {
		return 0, io.EOF
	}
	if o.body != nil && o.bodyPos != o.pos {
		o.body.Close()
		o.body = nil
	}
	if o.body == nil {
		hdr := http.Header{}
		hdr.Set("Range", "bytes="+strconv.FormatInt(o.pos, 10)+"-")
		resp, err := o.s.do(o.ctx, "get "+o.info.Key, http.MethodGet, o.s.objectURL(o.info.Key, nil), hdr, nil, 0, "")
		if err != nil {
			return 0, err
		}
		if resp.StatusCode != http.StatusPartialContent && o.pos != 0 {
			resp.Body.Close()
			return 0, fmt.Errorf("s3 get %s: server ignored the range request", o.info.Key)
		}
		o.body, o.bodyPos = resp.Body, o.pos
	}
	n, err := o.body.Read(p)
	o.pos += int64(n)
	o.bodyPos += int64(n)
	if err == io.EOF && o.pos < o.info.Size {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

func (o *s3Object) Seek(offset int64, whence int) (int64, error) {
	var abs int64
	switch whence {
	case io.SeekStart:
		abs = offset
	case io.SeekCurrent:
		abs = o.pos + offset
	case io.SeekEnd:
		abs = o.info.Size + offset
	default:
		return 0, errors.New("s3 object: invalid whence")
	}
	if abs < 0 {
		return 0, errors.New("s3 object: negative position")
	}
	o.pos = abs
	return abs, nil
}

func (o *s3Object) Close() error {
	if o.body != nil {
		err := o.body.Close()
		o.body = nil
		return err
	}
	return nil
}

// canonicalQuery sorts parameters by key then value and encodes them the
// SigV4 way (RFC 3986, space as %20).
func canonicalQuery(q url.Values) string {
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		vals := append([]string(nil), q[k]...)
		sort.Strings(vals)
		for _, v := range vals {
			parts = append(parts, uriEncode(k, true)+"="+uriEncode(v, true))
		}
	}
	return strings.Join(parts, "&")
}

// uriEncode percent-encodes everything but RFC 3986 unreserved characters
// (and "/" unless encodeSlash), as SigV4 requires.
func uriEncode(s string, encodeSlash bool) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == '~' || (c == '/' && !encodeSlash) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}
