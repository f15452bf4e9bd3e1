package bcrypt

import (
	"math/big"
	"sync"
)

// Offsets into state.t: the 18-word P-array, then the four S-boxes.
const (
	s0    = 18
	s1    = s0 + 256
	s2    = s1 + 256
	s3    = s2 + 256
	words = s3 + 256
)

// state is a Blowfish key schedule in one array, P-array first: the key
// schedule rewrites it front to back as one sequence.
type state struct{ t [words]uint32 }

// newState returns Blowfish's initial state.
func newState() *state {
	s := new(state)
	s.t = piWords()
	return s
}

// piWords is Blowfish's initial state: the hexadecimal digits of pi's
// fraction, 8 to a word, P-array then S-boxes. It is computed once
// (about 10 ms) rather than spelled out as 1,042 constants; the tests
// check it against the published first and last words and against
// x/crypto's hashes.
var piWords = sync.OnceValue(func() [words]uint32 {
	const bits = 32 * words
	const guard = 64
	one := new(big.Int).Lsh(big.NewInt(1), bits+guard)
	// Machin: pi = 16·atan(1/5) − 4·atan(1/239), in fixed point.
	pi := new(big.Int).Mul(atanInv(one, 5), big.NewInt(16))
	pi.Sub(pi, new(big.Int).Mul(atanInv(one, 239), big.NewInt(4)))
	pi.Sub(pi, new(big.Int).Mul(one, big.NewInt(3)))
	pi.Rsh(pi, guard)
	var buf [4 * words]byte
	pi.FillBytes(buf[:])
	var w [words]uint32
	for i := range w {
		w[i] = uint32(buf[4*i])<<24 | uint32(buf[4*i+1])<<16 | uint32(buf[4*i+2])<<8 | uint32(buf[4*i+3])
	}
	return w
})

// atanInv returns atan(1/x) scaled by one, by its Taylor series; each
// term's truncation costs at most one unit, far inside the guard bits.
func atanInv(one *big.Int, x int64) *big.Int {
	sum := new(big.Int)
	term := new(big.Int).Quo(one, big.NewInt(x))
	x2 := big.NewInt(x * x)
	q := new(big.Int)
	for n := int64(1); term.Sign() != 0; n += 2 {
		q.Quo(term, big.NewInt(n))
		if n%4 == 1 {
			sum.Add(sum, q)
		} else {
			sum.Sub(sum, q)
		}
		term.Quo(term, x2)
	}
	return sum
}

// expand is one pass of Blowfish's key schedule: the key words are
// folded into the P-array, then the whole state is rewritten with
// successive encryptions, each input mixed with the salt words (zero
// for the plain schedule bcrypt repeats 2^cost times).
func (s *state) expand(key *[18]uint32, salt *[4]uint32) {
	t := &s.t
	for i := range key {
		t[i] ^= key[i]
	}
	var l, r uint32
	for i := 0; i < words; i += 2 {
		l, r = s.encrypt(l^salt[i&3], r^salt[(i+1)&3])
		t[i], t[i+1] = l, r
	}
}

// encrypt enciphers one block. Each round XORs the P-array word into
// the half block first and the S-box function second: the same value as
// Blowfish's definition, but the P word no longer waits on the S-box
// sum, so the chain of dependent operations is one shorter per round.
func (s *state) encrypt(l, r uint32) (uint32, uint32) {
	t := &s.t
	l ^= t[0]
	r ^= t[1]
	r ^= ((t[s0+int(l>>24)] + t[s1+int(byte(l>>16))]) ^ t[s2+int(byte(l>>8))]) + t[s3+int(byte(l))]
	l ^= t[2]
	l ^= ((t[s0+int(r>>24)] + t[s1+int(byte(r>>16))]) ^ t[s2+int(byte(r>>8))]) + t[s3+int(byte(r))]
	r ^= t[3]
	r ^= ((t[s0+int(l>>24)] + t[s1+int(byte(l>>16))]) ^ t[s2+int(byte(l>>8))]) + t[s3+int(byte(l))]
	l ^= t[4]
	l ^= ((t[s0+int(r>>24)] + t[s1+int(byte(r>>16))]) ^ t[s2+int(byte(r>>8))]) + t[s3+int(byte(r))]
	r ^= t[5]
	r ^= ((t[s0+int(l>>24)] + t[s1+int(byte(l>>16))]) ^ t[s2+int(byte(l>>8))]) + t[s3+int(byte(l))]
	l ^= t[6]
	l ^= ((t[s0+int(r>>24)] + t[s1+int(byte(r>>16))]) ^ t[s2+int(byte(r>>8))]) + t[s3+int(byte(r))]
	r ^= t[7]
	r ^= ((t[s0+int(l>>24)] + t[s1+int(byte(l>>16))]) ^ t[s2+int(byte(l>>8))]) + t[s3+int(byte(l))]
	l ^= t[8]
	l ^= ((t[s0+int(r>>24)] + t[s1+int(byte(r>>16))]) ^ t[s2+int(byte(r>>8))]) + t[s3+int(byte(r))]
	r ^= t[9]
	r ^= ((t[s0+int(l>>24)] + t[s1+int(byte(l>>16))]) ^ t[s2+int(byte(l>>8))]) + t[s3+int(byte(l))]
	l ^= t[10]
	l ^= ((t[s0+int(r>>24)] + t[s1+int(byte(r>>16))]) ^ t[s2+int(byte(r>>8))]) + t[s3+int(byte(r))]
	r ^= t[11]
	r ^= ((t[s0+int(l>>24)] + t[s1+int(byte(l>>16))]) ^ t[s2+int(byte(l>>8))]) + t[s3+int(byte(l))]
	l ^= t[12]
	l ^= ((t[s0+int(r>>24)] + t[s1+int(byte(r>>16))]) ^ t[s2+int(byte(r>>8))]) + t[s3+int(byte(r))]
	r ^= t[13]
	r ^= ((t[s0+int(l>>24)] + t[s1+int(byte(l>>16))]) ^ t[s2+int(byte(l>>8))]) + t[s3+int(byte(l))]
	l ^= t[14]
	l ^= ((t[s0+int(r>>24)] + t[s1+int(byte(r>>16))]) ^ t[s2+int(byte(r>>8))]) + t[s3+int(byte(r))]
	r ^= t[15]
	r ^= ((t[s0+int(l>>24)] + t[s1+int(byte(l>>16))]) ^ t[s2+int(byte(l>>8))]) + t[s3+int(byte(l))]
	l ^= t[16]
	l ^= ((t[s0+int(r>>24)] + t[s1+int(byte(r>>16))]) ^ t[s2+int(byte(r>>8))]) + t[s3+int(byte(r))]
	r ^= t[17]
	return r, l
}
