package core

// hooks holds every hook point of the App; embedded so they read as
// app.OnX(). Request and model hooks are added by their own files.
type hooks struct{}

func (app *App) initHooks() {}
