package auth

import (
	"strings"
	"testing"
	"time"
)

func TestThrottle(t *testing.T) {
	th := DefaultThrottle()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	ago := func(d time.Duration) time.Time { return now.Add(-d) }
	tests := []struct {
		name   string
		f      Failures
		wait   time.Duration
		locked bool
		inText string
	}{
		{name: "no failures", f: Failures{}},
		{name: "free failures", f: Failures{Pair: 2, PairLast: now, Account: 2, AccountLast: now, Address: 2, AddressLast: now}},
		{name: "third failure: 1 s", f: Failures{Pair: 3, PairLast: now}, wait: time.Second, inText: "Wait 1 second"},
		{name: "sixth: 8 s, 3 s gone", f: Failures{Pair: 6, PairLast: ago(3 * time.Second)}, wait: 5 * time.Second, inText: "Wait 5 seconds"},
		{name: "delay served", f: Failures{Pair: 6, PairLast: ago(8 * time.Second)}},
		{name: "delay capped", f: Failures{Pair: 9, PairLast: now, Address: 9, AddressLast: now}, wait: time.Minute, inText: "60 seconds"},
		{name: "pair locked", f: Failures{Pair: 10, PairLast: ago(time.Minute)}, wait: 14 * time.Minute, locked: true, inText: "blocked for 15 minutes"},
		{name: "lock over", f: Failures{Pair: 10, PairLast: ago(15 * time.Minute)}},
		{name: "address spraying", f: Failures{Address: 25, AddressLast: now}, wait: 15 * time.Minute, locked: true, inText: "from your address"},
		{name: "account from many addresses", f: Failures{Account: 20, AccountLast: now}, wait: 15 * time.Minute, locked: true, inText: "for this account"},
		{name: "account lock spares a known address", f: Failures{Account: 20, AccountLast: now, Known: true}},
		{name: "the longest wait wins", f: Failures{Pair: 4, PairLast: now, Account: 20, AccountLast: now}, wait: 15 * time.Minute, locked: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := th.Check(tt.f, now)
			if v.Wait != tt.wait || v.Locked != tt.locked {
				t.Errorf("Check = %+v, want wait %v locked %v", v, tt.wait, tt.locked)
			}
			if (v.Message == "") != (tt.wait == 0) {
				t.Errorf("message %q with wait %v", v.Message, v.Wait)
			}
			if !strings.Contains(v.Message, tt.inText) {
				t.Errorf("message %q lacks %q", v.Message, tt.inText)
			}
		})
	}
}
