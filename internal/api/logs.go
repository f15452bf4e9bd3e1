package api

// registerLogs registers the logs routes.
func (s *Server) registerLogs() {}
