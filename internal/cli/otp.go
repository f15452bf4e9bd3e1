package cli

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"math/big"
	"time"

	"github.com/spf13/cobra"

	"github.com/basalthq/basalt/core"
)

// superuserOTPCmd creates a one-time password for a superuser (handy when
// MFA locks an admin out of a headless server).
func superuserOTPCmd(ctx *execContext, g *Global, stdout io.Writer, opts Options) *cobra.Command {
	return &cobra.Command{Use: "otp EMAIL", Short: "Create a one-time password for a superuser", Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, a []string) error {
			return withApp(ctx, g, opts, func(app *core.App) error {
				col, err := app.FindCollectionByNameOrId(core.SuperusersCollectionName)
				if err != nil {
					return err
				}
				if !col.Auth.OTP.Enabled {
					return errors.New("OTP auth is not enabled for the _superusers collection")
				}
				su, err := app.FindFirstRecordByField(ctx, col, core.FieldEmail, a[0])
				if err != nil {
					return errors.New("superuser with email " + a[0] + " not found")
				}
				otps, err := app.FindCollectionByNameOrId(core.OTPsCollectionName)
				if err != nil {
					return err
				}
				length := max(col.Auth.OTP.Length, 4)
				code, err := digits(length)
				if err != nil {
					return err
				}
				row := core.NewRecord(otps)
				row.Set("collectionRef", col.Id)
				row.Set("recordRef", su.Id())
				row.Set("password", code)
				row.Set("sentTo", "")
				if err := app.Save(ctx, row); err != nil {
					return err
				}
				valid := time.Duration(col.Auth.OTP.Duration) * time.Second
				fmt.Fprintf(stdout, "Successfully created OTP for superuser %q:\n├─ Id:    %s\n├─ Pass:  %s\n└─ Valid: %s\n", a[0], row.Id(), code, valid)
				return nil
			})
		}}
}

func digits(n int) (string, error) {
	b := make([]byte, n)
	for i := range b {
		v, err := rand.Int(rand.Reader, big.NewInt(10))
		if err != nil {
			return "", err
		}
		b[i] = byte('0' + v.Int64())
	}
	return string(b), nil
}
