package auth

// providerCase describes one provider for the table-driven tests: the JSON
// its endpoints return when the e-mail is verified and when it is not,
// and what must come out.
type providerCase struct {
	name       string
	userPath   string
	clientAuth clientAuth
	pkce       bool
	extra      map[string]any // config extras for the verified run
	verified   map[string]any // path → body
	unverified map[string]any // path → body (only differing paths)
	want       User           // for the verified run
	userHeader map[string]string
	tokenJSON  bool // token request body is JSON
}

func providerCases() []providerCase {
	return []providerCase{
		{
			name: "google", userPath: "/userinfo", pkce: true,
			verified:   map[string]any{"/userinfo": map[string]any{"sub": "g1", "name": "Gee Oogle", "picture": "https://img/g", "email": "g@x.io", "email_verified": true}},
			unverified: map[string]any{"/userinfo": map[string]any{"sub": "g1", "name": "Gee Oogle", "email": "g@x.io", "email_verified": false}},
			want:       User{Id: "g1", Name: "Gee Oogle", Email: "g@x.io", AvatarURL: "https://img/g"},
		},
		{
			name: "github", userPath: "/user", pkce: true,
			verified: map[string]any{
				"/user":        map[string]any{"id": 1234567890123, "login": "octo", "name": "Octo Cat", "avatar_url": "https://img/o", "email": "public@x.io"},
				"/user/emails": []any{map[string]any{"email": "second@x.io", "primary": false, "verified": true}, map[string]any{"email": "o@x.io", "primary": true, "verified": true}},
			},
			unverified: map[string]any{"/user/emails": []any{map[string]any{"email": "o@x.io", "primary": true, "verified": false}, map[string]any{"email": "second@x.io", "primary": false, "verified": true}}},
			want:       User{Id: "1234567890123", Name: "Octo Cat", Username: "octo", Email: "o@x.io", AvatarURL: "https://img/o"},
		},
		{
			name: "gitea", userPath: "/api/v1/user", pkce: true,
			verified: map[string]any{
				"/api/v1/user":        map[string]any{"id": 5, "login": "tea", "full_name": "Tea Pot", "avatar_url": "https://img/t", "email": "t@x.io"},
				"/api/v1/user/emails": []any{map[string]any{"email": "t@x.io", "primary": true, "verified": true}},
			},
			unverified: map[string]any{"/api/v1/user/emails": []any{map[string]any{"email": "t@x.io", "primary": true, "verified": false}}},
			want:       User{Id: "5", Name: "Tea Pot", Username: "tea", Email: "t@x.io", AvatarURL: "https://img/t"},
		},
		{
			name: "gitlab", userPath: "/api/v4/user", pkce: true,
			verified:   map[string]any{"/api/v4/user": map[string]any{"id": 7, "name": "Lab Rat", "username": "rat", "avatar_url": "https://img/l", "email": "l@x.io", "confirmed_at": "2020-01-01T00:00:00Z"}},
			unverified: map[string]any{"/api/v4/user": map[string]any{"id": 7, "name": "Lab Rat", "username": "rat", "email": "l@x.io", "confirmed_at": nil}},
			want:       User{Id: "7", Name: "Lab Rat", Username: "rat", Email: "l@x.io", AvatarURL: "https://img/l"},
		},
		{
			name: "discord", userPath: "/users/@me", pkce: true,
			verified:   map[string]any{"/users/@me": map[string]any{"id": "80351110224678912", "username": "nelly", "global_name": "Nelly", "avatar": "8342729096ea3675442027381ff50dfe", "verified": true, "email": "n@x.io"}},
			unverified: map[string]any{"/users/@me": map[string]any{"id": "80351110224678912", "username": "nelly", "verified": false, "email": "n@x.io"}},
			want: User{Id: "80351110224678912", Name: "Nelly", Username: "nelly", Email: "n@x.io",
				AvatarURL: "https://cdn.discordapp.com/avatars/80351110224678912/8342729096ea3675442027381ff50dfe.png"},
		},
		{
			name: "microsoft", userPath: "/v1.0/me", pkce: true, extra: map[string]any{"trustEmail": true},
			verified:   map[string]any{"/v1.0/me": map[string]any{"id": "m-1", "displayName": "Mike Soft", "mail": "m@x.io", "userPrincipalName": "m@x.onmicrosoft.com"}},
			unverified: map[string]any{}, // same body, but trustEmail is off by default
			want:       User{Id: "m-1", Name: "Mike Soft", Email: "m@x.io"},
		},
		{
			name: "spotify", userPath: "/v1/me", pkce: true,
			verified:   map[string]any{"/v1/me": map[string]any{"id": "sp1", "display_name": "Spot", "email": "s@x.io", "images": []any{map[string]any{"url": "https://img/s"}}}},
			unverified: map[string]any{},
			want:       User{Id: "sp1", Name: "Spot", AvatarURL: "https://img/s"}, // Spotify e-mails are never verified
		},
		{
			name: "twitch", userPath: "/helix/users", userHeader: map[string]string{"Client-Id": "cid"},
			verified:   map[string]any{"/helix/users": map[string]any{"data": []any{map[string]any{"id": "141981764", "login": "twitchdev", "display_name": "TwitchDev", "profile_image_url": "https://img/tw", "email": "tw@x.io"}}}},
			unverified: map[string]any{"/helix/users": map[string]any{"data": []any{map[string]any{"id": "141981764", "login": "twitchdev", "display_name": "TwitchDev"}}}},
			want:       User{Id: "141981764", Name: "TwitchDev", Username: "twitchdev", Email: "tw@x.io", AvatarURL: "https://img/tw"},
		},
		{
			name: "twitter", userPath: "/2/users/me", pkce: true, clientAuth: authInHeader,
			verified:   map[string]any{"/2/users/me": map[string]any{"data": map[string]any{"id": "2244994945", "name": "X Dev", "username": "XDevelopers", "profile_image_url": "https://img/x"}}},
			unverified: map[string]any{},
			want:       User{Id: "2244994945", Name: "X Dev", Username: "XDevelopers", AvatarURL: "https://img/x"},
		},
		{
			name: "bitbucket", userPath: "/2.0/user", clientAuth: authInHeader,
			verified: map[string]any{
				"/2.0/user":        map[string]any{"uuid": "{b-1}", "username": "bucket", "display_name": "Bit Bucket", "links": map[string]any{"avatar": map[string]any{"href": "https://img/b"}}},
				"/2.0/user/emails": map[string]any{"values": []any{map[string]any{"email": "b@x.io", "is_primary": true, "is_confirmed": true}}},
			},
			unverified: map[string]any{"/2.0/user/emails": map[string]any{"values": []any{map[string]any{"email": "b@x.io", "is_primary": true, "is_confirmed": false}}}},
			want:       User{Id: "{b-1}", Name: "Bit Bucket", Username: "bucket", Email: "b@x.io", AvatarURL: "https://img/b"},
		},
		{
			name: "patreon", userPath: "/identity", pkce: true,
			verified: map[string]any{"/identity": map[string]any{"data": map[string]any{"id": "p1", "attributes": map[string]any{
				"full_name": "Pat Ron", "vanity": "patron", "image_url": "https://img/p", "email": "p@x.io", "is_email_verified": true}}}},
			unverified: map[string]any{"/identity": map[string]any{"data": map[string]any{"id": "p1", "attributes": map[string]any{
				"full_name": "Pat Ron", "email": "p@x.io", "is_email_verified": false}}}},
			want: User{Id: "p1", Name: "Pat Ron", Username: "patron", Email: "p@x.io", AvatarURL: "https://img/p"},
		},
		{
			name: "facebook", userPath: "/me", pkce: true,
			verified:   map[string]any{"/me": map[string]any{"id": "f1", "name": "Face Book", "email": "f@x.io", "picture": map[string]any{"data": map[string]any{"url": "https://img/f"}}}},
			unverified: map[string]any{"/me": map[string]any{"id": "f1", "name": "Face Book"}}, // Graph omits unconfirmed addresses
			want:       User{Id: "f1", Name: "Face Book", Email: "f@x.io", AvatarURL: "https://img/f"},
		},
		{
			name: "box", userPath: "/2.0/users/me",
			verified:   map[string]any{"/2.0/users/me": map[string]any{"id": "11446498", "name": "Aaron Levie", "login": "ceo@box.com", "avatar_url": "https://img/bx"}},
			unverified: map[string]any{},
			want:       User{Id: "11446498", Name: "Aaron Levie", AvatarURL: "https://img/bx"}, // login is not known to be verified
		},
		{
			name: "gitee", userPath: "/api/v5/user",
			verified: map[string]any{
				"/api/v5/user":   map[string]any{"id": 9, "login": "gt", "name": "Gi Tee", "avatar_url": "https://img/gt"},
				"/api/v5/emails": []any{map[string]any{"email": "x@x.io", "state": "confirmed", "scope": []any{"committed"}}, map[string]any{"email": "gt@x.io", "state": "confirmed", "scope": []any{"primary", "committed"}}},
			},
			unverified: map[string]any{"/api/v5/emails": []any{map[string]any{"email": "gt@x.io", "state": "unconfirmed", "scope": []any{"primary"}}}},
			want:       User{Id: "9", Name: "Gi Tee", Username: "gt", Email: "gt@x.io", AvatarURL: "https://img/gt"},
		},
		{
			name: "instagram2", userPath: "/me",
			verified:   map[string]any{"/me": map[string]any{"id": "17841", "username": "insta", "name": "In Sta", "profile_picture_url": "https://img/ig"}},
			unverified: map[string]any{},
			want:       User{Id: "17841", Name: "In Sta", Username: "insta", AvatarURL: "https://img/ig"},
		},
		{
			name: "kakao", userPath: "/v2/user/me",
			verified: map[string]any{"/v2/user/me": map[string]any{"id": 123456789, "kakao_account": map[string]any{
				"profile": map[string]any{"nickname": "Ka Kao", "profile_image_url": "https://img/k"}, "email": "k@x.io", "is_email_valid": true, "is_email_verified": true}}},
			unverified: map[string]any{"/v2/user/me": map[string]any{"id": 123456789, "kakao_account": map[string]any{
				"email": "k@x.io", "is_email_valid": true, "is_email_verified": false}}},
			want: User{Id: "123456789", Name: "Ka Kao", Email: "k@x.io", AvatarURL: "https://img/k"},
		},
		{
			name: "lark", userPath: "/open-apis/authen/v1/user_info", pkce: true, tokenJSON: true,
			verified:   map[string]any{"/open-apis/authen/v1/user_info": map[string]any{"code": 0, "data": map[string]any{"union_id": "on_1", "open_id": "ou_1", "name": "Lark Bird", "avatar_url": "https://img/lk", "email": "lk@x.io"}}},
			unverified: map[string]any{},
			want:       User{Id: "on_1", Name: "Lark Bird", AvatarURL: "https://img/lk"}, // tenant-set address: not verified
		},
		{
			name: "linear", userPath: "/graphql", pkce: true,
			verified:   map[string]any{"/graphql": map[string]any{"data": map[string]any{"viewer": map[string]any{"id": "li-1", "name": "Lin Ear", "displayName": "lin", "email": "li@x.io", "avatarUrl": "https://img/li", "active": true}}}},
			unverified: map[string]any{"/graphql": map[string]any{"data": map[string]any{"viewer": map[string]any{"id": "li-1", "email": "li@x.io", "active": false}}}},
			want:       User{Id: "li-1", Name: "Lin Ear", Username: "lin", Email: "li@x.io", AvatarURL: "https://img/li"},
		},
		{
			name: "livechat", userPath: "/v2/accounts/me", pkce: true,
			verified:   map[string]any{"/v2/accounts/me": map[string]any{"account_id": "lc-1", "name": "Live Chat", "email": "lc@x.io", "email_verified": true, "avatar_url": "https://img/lc"}},
			unverified: map[string]any{"/v2/accounts/me": map[string]any{"account_id": "lc-1", "email": "lc@x.io", "email_verified": false}},
			want:       User{Id: "lc-1", Name: "Live Chat", Email: "lc@x.io", AvatarURL: "https://img/lc"},
		},
		{
			name: "mailcow", userPath: "/oauth/profile",
			verified:   map[string]any{"/oauth/profile": map[string]any{"id": 3, "username": "me@mail.x.io", "full_name": "Mail Cow", "email": "me@mail.x.io", "active": 1}},
			unverified: map[string]any{"/oauth/profile": map[string]any{"id": 3, "email": "me@mail.x.io", "active": 0}},
			want:       User{Id: "3", Name: "Mail Cow", Username: "me@mail.x.io", Email: "me@mail.x.io"},
		},
		{
			name: "monday", userPath: "/v2", userHeader: map[string]string{"Authorization": "at-1"},
			verified:   map[string]any{"/v2": map[string]any{"data": map[string]any{"me": map[string]any{"id": 4012, "name": "Mon Day", "email": "mo@x.io", "photo_small": "https://img/mo", "enabled": true, "is_verified": true}}}},
			unverified: map[string]any{"/v2": map[string]any{"data": map[string]any{"me": map[string]any{"id": 4012, "email": "mo@x.io", "enabled": true, "is_verified": false}}}},
			want:       User{Id: "4012", Name: "Mon Day", Email: "mo@x.io", AvatarURL: "https://img/mo"},
		},
		{
			name: "notion", userPath: "/v1/users/me", clientAuth: authInHeader, tokenJSON: true, userHeader: map[string]string{"Notion-Version": notionVersion},
			verified: map[string]any{"/v1/users/me": map[string]any{"object": "user", "id": "bot-1", "type": "bot", "bot": map[string]any{"owner": map[string]any{"type": "user", "user": map[string]any{
				"id": "n-1", "name": "No Tion", "avatar_url": "https://img/n", "person": map[string]any{"email": "n@x.io"}}}}}},
			unverified: map[string]any{"/v1/users/me": map[string]any{"object": "user", "id": "bot-1", "type": "bot", "bot": map[string]any{"owner": map[string]any{"type": "user", "user": map[string]any{
				"id": "n-1", "name": "No Tion"}}}}},
			want: User{Id: "n-1", Name: "No Tion", Email: "n@x.io", AvatarURL: "https://img/n"},
		},
		{
			name: "planningcenter", userPath: "/people/v2/me", pkce: true,
			verified:   map[string]any{"/people/v2/me": map[string]any{"data": map[string]any{"type": "Person", "id": "pc-1", "attributes": map[string]any{"name": "Plan Ning", "avatar": "https://img/pc"}}}},
			unverified: map[string]any{},
			want:       User{Id: "pc-1", Name: "Plan Ning", AvatarURL: "https://img/pc"},
		},
		{
			name: "strava", userPath: "/api/v3/athlete",
			verified:   map[string]any{"/api/v3/athlete": map[string]any{"id": 1234567890987654321, "username": "marianne_t", "firstname": "Marianne", "lastname": "Teutenberg", "profile": "https://img/st"}},
			unverified: map[string]any{},
			want:       User{Id: "1234567890987654321", Name: "Marianne Teutenberg", Username: "marianne_t", AvatarURL: "https://img/st"},
		},
		{
			name: "trakt", userPath: "/users/settings", tokenJSON: true, userHeader: map[string]string{"trakt-api-version": "2", "trakt-api-key": "cid"},
			verified: map[string]any{"/users/settings": map[string]any{"user": map[string]any{"username": "justin", "name": "Justin N", "ids": map[string]any{"slug": "justin", "uuid": "b6589fc6"},
				"images": map[string]any{"avatar": map[string]any{"full": "https://img/tr"}}}}},
			unverified: map[string]any{},
			want:       User{Id: "b6589fc6", Name: "Justin N", Username: "justin", AvatarURL: "https://img/tr"},
		},
		{
			name: "vk", userPath: "/method/users.get",
			verified:   map[string]any{"/method/users.get": map[string]any{"response": []any{map[string]any{"id": 210700286, "first_name": "Lindsey", "last_name": "Stirling", "screen_name": "lindseystirling", "photo_max": "https://img/vk"}}}},
			unverified: map[string]any{},
			want:       User{Id: "210700286", Name: "Lindsey Stirling", Username: "lindseystirling", AvatarURL: "https://img/vk"},
		},
		{
			name: "wakatime", userPath: "/api/v1/users/current",
			verified:   map[string]any{"/api/v1/users/current": map[string]any{"data": map[string]any{"id": "w-1", "username": "waka", "display_name": "Wa Ka", "photo": "https://img/w", "email": "w@x.io", "is_email_confirmed": true}}},
			unverified: map[string]any{"/api/v1/users/current": map[string]any{"data": map[string]any{"id": "w-1", "email": "w@x.io", "is_email_confirmed": false}}},
			want:       User{Id: "w-1", Name: "Wa Ka", Username: "waka", Email: "w@x.io", AvatarURL: "https://img/w"},
		},
		{
			name: "yandex", userPath: "/info", pkce: true, userHeader: map[string]string{"Authorization": "OAuth at-1"},
			verified:   map[string]any{"/info": map[string]any{"id": "1000034426", "login": "ivan", "real_name": "Ivan Ivanov", "default_email": "ivan@yandex.ru", "default_avatar_id": "131652443", "is_avatar_empty": false}},
			unverified: map[string]any{"/info": map[string]any{"id": "1000034426", "login": "ivan"}},
			want:       User{Id: "1000034426", Name: "Ivan Ivanov", Username: "ivan", Email: "ivan@yandex.ru", AvatarURL: "https://avatars.yandex.net/get-yapic/131652443/islands-200"},
		},
		{
			name: "oidc", userPath: "/userinfo", pkce: true, clientAuth: authInHeader, // auto: Basic first
			verified:   map[string]any{"/userinfo": map[string]any{"sub": "o1", "name": "Oh Idc", "preferred_username": "oidcuser", "picture": "https://img/oi", "email": "oi@x.io", "email_verified": true}},
			unverified: map[string]any{"/userinfo": map[string]any{"sub": "o1", "name": "Oh Idc", "preferred_username": "oidcuser", "email": "oi@x.io"}},
			want:       User{Id: "o1", Name: "Oh Idc", Username: "oidcuser", Email: "oi@x.io", AvatarURL: "https://img/oi"},
		},
	}
}
