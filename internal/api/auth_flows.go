package api

// registerAuthFlows registers e-mail verification, password reset, e-mail change, OTP, MFA and OAuth2 routes.
func (s *Server) registerAuthFlows() {}
