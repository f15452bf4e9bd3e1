package cli

import (
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/spf13/cobra"
)

// healthCmd probes a running server's /api/health; it exists so container
// health checks work in images without curl (see Dockerfile).
func healthCmd(stdout io.Writer) *cobra.Command {
	var url string
	cmd := &cobra.Command{
		Use:   "health",
		Short: "Check that a running server answers /api/health",
		RunE: func(cmd *cobra.Command, _ []string) error {
			client := &http.Client{Timeout: 5 * time.Second}
			resp, err := client.Get(url + "/api/health")
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				return fmt.Errorf("health check answered %d", resp.StatusCode)
			}
			fmt.Fprintln(stdout, "ok")
			return nil
		},
	}
	cmd.Flags().StringVar(&url, "url", "http://127.0.0.1:8090", "base URL of the server")
	return cmd
}
