package api

// registerAuthFlows registers the auth routes beyond password sign-in:
// e-mail verification, password reset, e-mail change (auth_email.go), OTP
// (auth_otp.go), OAuth2 and its redirect (auth_oauth2.go), and the
// settings test-mail and Apple secret endpoints (settings_email.go). The
// rate limiter and MFA are installed by registerAuth (auth_password.go,
// ratelimit.go, auth_mfa.go).
func (s *Server) registerAuthFlows() {
	g := s.echo.Group("/api/collections/:collection")
	g.POST("/request-verification", s.requestVerification)
	g.POST("/confirm-verification", s.confirmVerification)
	g.POST("/request-password-reset", s.requestPasswordReset)
	g.POST("/confirm-password-reset", s.confirmPasswordReset)
	g.POST("/request-email-change", s.requestEmailChange)
	g.POST("/confirm-email-change", s.confirmEmailChange)
	g.POST("/request-otp", s.requestOTP)
	g.POST("/auth-with-otp", s.authWithOTP)
	g.POST("/auth-with-oauth2", s.authWithOAuth2)
	s.echo.GET("/api/oauth2-redirect", s.oauth2Redirect)
	s.echo.POST("/api/oauth2-redirect", s.oauth2Redirect)
	s.registerSettingsEmail()
}
