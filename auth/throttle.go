package auth

import (
	"fmt"
	"time"
)

// Sign-in throttling: password guessing is slowed, then stopped for a
// while, counted three ways over the last Window:
//
//   - one account from one address (the plain attack): after PairFree
//     failures each attempt waits twice as long as the last (1 s, 2 s, 4 s,
//     … up to MaxDelay) and after PairLock failures the pair is refused
//     for Window;
//   - one address for any account (spraying one password over many
//     accounts): the same with AddressFree and AddressLock;
//   - one account from any address (a guess spread over many addresses):
//     the same with AccountFree and AccountLock, but not for an address the
//     account signed in from successfully in the last KnownFor.
//
// The choice, so that an attacker cannot lock a real user out: attempts
// refused by the throttle are not counted, so a lockout ends Window after
// the failure that started it, whatever the attacker does next; a lock of
// the pair or the address holds only the attacker's own address; the only
// lock an attacker elsewhere can cause is the account-wide one, which
// needs AccountLock failures within Window and spares the addresses the
// owner has signed in from. A successful sign-in clears the account's
// count.
type Throttle struct {
	Window                   time.Duration
	KnownFor                 time.Duration
	MaxDelay                 time.Duration
	PairFree, PairLock       int
	AddressFree, AddressLock int
	AccountFree, AccountLock int
}

// DefaultThrottle is the production policy.
func DefaultThrottle() Throttle {
	return Throttle{
		Window:   15 * time.Minute,
		KnownFor: 30 * 24 * time.Hour,
		MaxDelay: time.Minute,
		PairFree: 3, PairLock: 10,
		// Each lock is reachable within Window by guesses that wait as told
		// (pair: 2 min; address, account: 10 and 5 min), so the delays
		// alone are not the limit.
		AddressFree: 10, AddressLock: 25,
		AccountFree: 10, AccountLock: 20,
	}
}

// Failures are the failed sign-ins counted over the last Window (the
// store's SignInCounts converts to it).
type Failures struct {
	Pair, Account, Address             int
	PairLast, AccountLast, AddressLast time.Time
	Known                              bool
}

// Verdict says whether an attempt may go on; when not, after how long and
// why.
type Verdict struct {
	Wait    time.Duration // 0: go on
	Locked  bool          // a lockout (for up to Window), not a short delay
	Message string
}

// Check decides on an attempt at now, before its password is checked.
func (t Throttle) Check(f Failures, now time.Time) Verdict {
	var worst Verdict
	consider := func(n int, last time.Time, free, lock int, who string) {
		if n < free || last.IsZero() {
			return
		}
		var v Verdict
		if n >= lock {
			v = Verdict{Wait: last.Add(t.Window).Sub(now), Locked: true}
			v.Message = fmt.Sprintf("Too many failed sign-ins %s. Signing in is blocked for %s; try again after %s.",
				who, roundUp(t.Window), last.Add(t.Window).UTC().Format("15:04 UTC"))
		} else {
			delay := t.MaxDelay
			if shift := n - free; shift < 30 {
				delay = min(time.Second<<shift, t.MaxDelay)
			}
			v = Verdict{Wait: last.Add(delay).Sub(now)}
			v.Message = fmt.Sprintf("Too many failed sign-ins %s. Wait %s, then try again.", who, roundUp(v.Wait))
		}
		if v.Wait > worst.Wait {
			worst = v
		}
	}
	consider(f.Pair, f.PairLast, t.PairFree, t.PairLock, "for this account from your address")
	consider(f.Address, f.AddressLast, t.AddressFree, t.AddressLock, "from your address")
	if !f.Known {
		consider(f.Account, f.AccountLast, t.AccountFree, t.AccountLock, "for this account")
	}
	if worst.Wait <= 0 {
		return Verdict{}
	}
	return worst
}

// roundUp writes a wait in whole seconds or minutes, never less than it is.
func roundUp(d time.Duration) string {
	if d <= time.Minute {
		s := int((d + time.Second - 1) / time.Second)
		if s == 1 {
			return "1 second"
		}
		return fmt.Sprintf("%d seconds", s)
	}
	m := int((d + time.Minute - 1) / time.Minute)
	return fmt.Sprintf("%d minutes", m)
}
