package core

import (
	"context"
	"fmt"
	"time"
)

// CleanupExpiredAuthRows deletes OTPs and MFA sessions older than their
// collection's configured duration (both of PocketBase's hourly
// __pbOTPCleanup__ and __pbMFACleanup__ jobs). It returns how many rows it
// removed.
func (app *App) CleanupExpiredAuthRows(ctx context.Context) (int, error) {
	otps, err := app.CleanupExpiredOTPs(ctx)
	if err != nil {
		return otps, err
	}
	mfas, err := app.CleanupExpiredMFAs(ctx)
	return otps + mfas, err
}

// CleanupExpiredOTPs deletes one-time passwords older than their auth
// collection's otp.duration (the __pbOTPCleanup__ job).
func (app *App) CleanupExpiredOTPs(ctx context.Context) (int, error) {
	return app.cleanupExpired(ctx, OTPsCollectionName, func(c *Collection) int64 { return c.Auth.OTP.Duration })
}

// CleanupExpiredMFAs deletes MFA sessions older than their auth
// collection's mfa.duration (the __pbMFACleanup__ job).
func (app *App) CleanupExpiredMFAs(ctx context.Context) (int, error) {
	return app.cleanupExpired(ctx, MFAsCollectionName, func(c *Collection) int64 { return c.Auth.MFA.Duration })
}

// cleanupExpired deletes the rows of the system collection table that
// are older than ttl(auth collection) seconds (1800 when unset).
func (app *App) cleanupExpired(ctx context.Context, table string, ttl func(*Collection) int64) (int, error) {
	removed := 0
	for _, c := range app.Collections() {
		if !c.IsAuth() || c.Auth == nil {
			continue
		}
		secs := ttl(c)
		if secs <= 0 {
			secs = 1800
		}
		before := FormatTime(app.Now().Add(-time.Duration(secs) * time.Second))
		recs, err := app.FindRecordsByFilter(ctx, table, "collectionRef = {:c} && created < {:before}", "", 0, 0,
			map[string]any{"c": c.Id, "before": before})
		if err != nil {
			return removed, fmt.Errorf("cleanup %s: %w", table, err)
		}
		for _, r := range recs {
			if err := app.Delete(ctx, r); err != nil {
				return removed, err
			}
			removed++
		}
	}
	return removed, nil
}
