package api

// registerRealtime registers the realtime SSE routes.
func (s *Server) registerRealtime() {}
