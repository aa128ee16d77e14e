/* biquad - reference C; see biquad.h for the scaling statement and the argument order. */
#include "biquad.h"

#include <string.h>

#include "fxsim_prim.h"

int ref_biquad_init(ref_biquad *k, const int64_t *consts, int nsec, const int *pshifts,
                    const int *shifts, const int *out_bits, int rounding, int overflow)
{
    int s;
    if (nsec < 1 || nsec > REF_BIQUAD_MAX_SECTIONS)
        return -1;
    memset(k, 0, sizeof *k);
    k->nsec = nsec;
    k->rounding = rounding;
    k->overflow = overflow;
    for (s = 0; s < nsec; s++) {
        memcpy(k->sec[s].c, consts + 7 * s, sizeof k->sec[s].c);
        k->sec[s].pshift = pshifts[s];
        k->sec[s].shift = shifts[s];
        k->sec[s].out_bits = out_bits[s];
    }
    return 0;
}

/* One section over n samples, in place on y (x is its input). */
static void section_process(ref_biquad *k, ref_biquad_section *sec, const int32_t *x, int n,
                            int32_t *y)
{
    const int64_t *c = sec->c;
    int64_t *z = sec->z;
    /* the rounding carry C starts the sum (round_carry in fxsim/primitives.py): nearest and
     * convergent round to nearest with ties up, ceil and floor as named, zero its own way */
    const int mode = fx_round_carry_mode(k->rounding);
    const int64_t carry = fx_round_carry(k->rounding, sec->shift);
    int i;
    for (i = 0; i < n; i++) {
        int64_t x0 = x[i], acc, q, e0;
        acc = fx_mac_exact(fx_shl64(carry, sec->pshift), c[0], x0);
        acc = fx_mac_exact(acc, c[1], z[0]);
        acc = fx_mac_exact(acc, c[2], z[1]);
        acc = fx_shr_round(acc, sec->pshift, FX_FLOOR);
        acc = fx_mac_exact(acc, c[3], z[2]);
        acc = fx_mac_exact(acc, c[4], z[3]);
        acc = fx_mac_exact(acc, c[5], z[4]);
        acc = fx_mac_exact(acc, c[6], z[5]);
        q = fx_shr_round(acc, sec->shift, mode);
        e0 = fx_mac_exact(acc - carry, q, -fx_shl64(1, sec->shift));   /* acc - C - q 2^shift */
        z[1] = z[0];
        z[0] = x0;
        z[3] = z[2];
        z[2] = fx_fit(q, sec->out_bits, k->overflow, &k->saturations);
        z[5] = z[4];
        z[4] = e0;
        y[i] = (int32_t)z[2];
    }
}

int ref_biquad_process(ref_biquad *k, const int32_t *x, int n, int32_t *y)
{
    int s;
    for (s = 0; s < k->nsec; s++)
        section_process(k, &k->sec[s], s == 0 ? x : y, n, y);
    return n;
}
