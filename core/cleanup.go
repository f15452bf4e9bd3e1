package core

import (
	"context"
	"fmt"
	"time"
)

// CleanupExpiredAuthRows deletes OTPs and MFA sessions older than their
// collection's configured duration (PocketBase's hourly __pbOTPCleanup__
// and __pbMFACleanup__ jobs). It returns how many rows it removed.
func (app *App) CleanupExpiredAuthRows(ctx context.Context) (int, error) {
	removed := 0
	for _, c := range app.Collections() {
		if !c.IsAuth() || c.Auth == nil {
			continue
		}
		jobs := []struct {
			collection string
			ttl        int64
		}{
			{OTPsCollectionName, c.Auth.OTP.Duration},
			{MFAsCollectionName, c.Auth.MFA.Duration},
		}
		for _, j := range jobs {
			if j.ttl <= 0 {
				j.ttl = 1800
			}
			before := FormatTime(app.Now().Add(-time.Duration(j.ttl) * time.Second))
			recs, err := app.FindRecordsByFilter(ctx, j.collection, "collectionRef = {:c} && created < {:before}", "", 0, 0,
				map[string]any{"c": c.Id, "before": before})
			if err != nil {
				return removed, fmt.Errorf("cleanup %s: %w", j.collection, err)
			}
			for _, r := range recs {
				if err := app.Delete(ctx, r); err != nil {
					return removed, err
				}
				removed++
			}
		}
	}
	return removed, nil
}
