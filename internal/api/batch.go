package api

// registerBatch registers the batch route.
func (s *Server) registerBatch() {}
