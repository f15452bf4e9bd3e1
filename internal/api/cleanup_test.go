package api_test

import (
	"context"
	"testing"
	"time"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/internal/testenv"
)

func TestCleanupExpiredAuthRows(t *testing.T) {
	s := testenv.StartServer(t)
	ctx := context.Background()
	otps, err := s.App.FindCollectionByNameOrId(core.OTPsCollectionName)
	if err != nil {
		t.Fatal(err)
	}
	mk := func(age time.Duration) string {
		r := core.NewRecord(otps)
		r.Set("collectionRef", core.UsersCollectionId)
		r.Set("recordRef", "someuser0000001")
		r.Set("password", "12345678")
		r.SetCanonical("created", core.FormatTime(time.Now().Add(-age)))
		if err := s.App.Save(ctx, r); err != nil {
			t.Fatal(err)
		}
		return r.Id()
	}
	old := mk(time.Hour) // users OTP duration is 180 s
	fresh := mk(time.Second)
	n, err := s.App.CleanupExpiredAuthRows(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("removed %d rows, want 1", n)
	}
	if _, err := s.App.FindRecordById(ctx, core.OTPsCollectionName, old); err == nil {
		t.Fatal("expired OTP still there")
	}
	if _, err := s.App.FindRecordById(ctx, core.OTPsCollectionName, fresh); err != nil {
		t.Fatal("fresh OTP removed")
	}
}
