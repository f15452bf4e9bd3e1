package api

// registerFiles registers file token and file download routes.
func (s *Server) registerFiles() {}
