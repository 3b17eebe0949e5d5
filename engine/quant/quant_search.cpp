#include "quant/quant_search.h"

#include <algorithm>
#include <cmath>

#include "quant/quant_math.h"

namespace tessera::quant_detail {
namespace {

// Groups whose largest magnitude is below this are stored as all zeros.
constexpr float kGroupMaxEps = 1e-15f;

// The signed value of largest magnitude (first one wins ties), and that magnitude.
void signed_abs_max(int n, const float* x, float& max, float& amax) {
    max = 0;
    amax = 0;
    for (int i = 0; i < n; ++i) {
        const float ax = std::fabs(x[i]);
        if (ax > amax) {
            amax = ax;
            max = x[i];
        }
    }
}

inline int clamp_q(int l, int lo, int hi) { return std::max(lo, std::min(hi, l)); }

}  // namespace

float make_qx_quants(int n, int nmax, const float* x, int8_t* L, const float* qw) {
    float max, amax;
    signed_abs_max(n, x, max, amax);
    if (amax < kGroupMaxEps) {
        std::fill(L, L + n, int8_t{0});
        return 0.f;
    }
    const float fnmax = static_cast<float>(nmax);
    // Start from the scale that maps the extreme value exactly onto -nmax.
    float iscale = -fnmax / max;
    float sumlx = 0, suml2 = 0;
    for (int i = 0; i < n; ++i) {
        const int l = clamp_q(nearest_int(iscale * x[i]), -nmax, nmax - 1);
        L[i] = static_cast<int8_t>(l + nmax);
        const float w = qw ? qw[i] : x[i] * x[i];
        sumlx += w * x[i] * static_cast<float>(l);
        suml2 += w * static_cast<float>(l) * static_cast<float>(l);
    }
    float scale = suml2 != 0.f ? sumlx / suml2 : 0.0f;
    // The fit quality of a candidate is sumlx^2/suml2; compare without dividing.
    float best = scale * sumlx;

    // The 18 alternative scales are independent of each other, so their sums are built side
    // by side (each candidate still accumulates in element order, as the reference does,
    // which keeps results bit-identical) and then compared in the reference's order.
    constexpr int kCandidates = 18;
    float iscales[kCandidates], cand_lx[kCandidates] = {}, cand_l2[kCandidates] = {};
    for (int c = 0; c < kCandidates; ++c) {
        const int is = c < 9 ? c - 9 : c - 8;  // -9..-1, 1..9
        iscales[c] = -(fnmax + 0.1f * static_cast<float>(is)) / max;
    }
    for (int i = 0; i < n; ++i) {
        const float w = qw ? qw[i] : x[i] * x[i];
        const float wx = w * x[i];
        for (int c = 0; c < kCandidates; ++c) {
            const float l = static_cast<float>(clamp_q(nearest_int(iscales[c] * x[i]), -nmax, nmax - 1));
            cand_lx[c] += wx * l;
            cand_l2[c] += w * l * l;
        }
    }
    int winner = -1;
    for (int c = 0; c < kCandidates; ++c) {
        if (cand_l2[c] > 0 && cand_lx[c] * cand_lx[c] > best * cand_l2[c]) {
            winner = c;
            scale = cand_lx[c] / cand_l2[c];
            best = scale * cand_lx[c];
        }
    }
    if (winner >= 0)
        for (int i = 0; i < n; ++i)
            L[i] = static_cast<int8_t>(nmax + clamp_q(nearest_int(iscales[winner] * x[i]), -nmax, nmax - 1));
    return scale;
}

float make_q3_quants(int n, int nmax, const float* x, int8_t* L) {
    float max, amax;
    signed_abs_max(n, x, max, amax);
    if (amax < kGroupMaxEps) {
        std::fill(L, L + n, int8_t{0});
        return 0.f;
    }
    const float iscale = -static_cast<float>(nmax) / max;
    float sumlx = 0, suml2 = 0;
    for (int i = 0; i < n; ++i) {
        const int l = clamp_q(nearest_int(iscale * x[i]), -nmax, nmax - 1);
        L[i] = static_cast<int8_t>(l);
        const float w = x[i] * x[i];
        sumlx += w * x[i] * static_cast<float>(l);
        suml2 += w * static_cast<float>(l) * static_cast<float>(l);
    }
    // Coordinate descent: re-quantize one value against the fit of all the others and keep
    // the change when the total fit improves.
    for (int itry = 0; itry < 5; ++itry) {
        int n_changed = 0;
        for (int i = 0; i < n; ++i) {
            const float w = x[i] * x[i];
            const float li = static_cast<float>(L[i]);
            float slx = sumlx - w * x[i] * li;
            if (slx > 0) {
                float sl2 = suml2 - w * li * li;
                const int new_l = clamp_q(nearest_int(x[i] * sl2 / slx), -nmax, nmax - 1);
                if (new_l != L[i]) {
                    const float nl = static_cast<float>(new_l);
                    slx += w * x[i] * nl;
                    sl2 += w * nl * nl;
                    if (sl2 > 0 && slx * slx * suml2 > sumlx * sumlx * sl2) {
                        L[i] = static_cast<int8_t>(new_l);
                        sumlx = slx;
                        suml2 = sl2;
                        ++n_changed;
                    }
                }
            }
        }
        if (!n_changed) break;
    }
    for (int i = 0; i < n; ++i) L[i] = static_cast<int8_t>(L[i] + nmax);
    return suml2 > 0.0f ? sumlx / suml2 : 0.0f;
}

float make_qkx2_quants(int n, int nmax, const float* x, const float* weights, uint8_t* L,
                       float* neg_min, uint8_t* Laux, float rmin, float rdelta, int nstep,
                       bool use_mad) {
    float min = x[0], max = x[0];
    float sum_w = weights[0];
    float sum_x = sum_w * x[0];
    for (int i = 1; i < n; ++i) {
        min = std::min(min, x[i]);
        max = std::max(max, x[i]);
        const float w = weights[i];
        sum_w += w;
        sum_x += w * x[i];
    }
    if (min > 0) min = 0;  // the min only ever shifts values up (it is stored negated)
    if (max == min) {
        std::fill(L, L + n, uint8_t{0});
        *neg_min = -min;
        return 0.f;
    }
    const float fnmax = static_cast<float>(nmax);
    auto error_of = [use_mad](float diff) { return use_mad ? std::fabs(diff) : diff * diff; };

    float iscale = fnmax / (max - min);
    float scale = 1 / iscale;
    float best_error = 0;
    for (int i = 0; i < n; ++i) {
        L[i] = static_cast<uint8_t>(clamp_q(nearest_int(iscale * (x[i] - min)), 0, nmax));
        const float diff = scale * static_cast<float>(L[i]) + min - x[i];
        best_error += weights[i] * error_of(diff);
    }
    if (nstep < 1) {
        *neg_min = -min;
        return scale;
    }
    for (int is = 0; is <= nstep; ++is) {
        iscale = (rmin + rdelta * static_cast<float>(is) + fnmax) / (max - min);
        float sum_l = 0, sum_l2 = 0, sum_xl = 0;
        for (int i = 0; i < n; ++i) {
            const int l = clamp_q(nearest_int(iscale * (x[i] - min)), 0, nmax);
            Laux[i] = static_cast<uint8_t>(l);
            const float w = weights[i];
            const float fl = static_cast<float>(l);
            sum_l += w * fl;
            sum_l2 += w * fl * fl;
            sum_xl += w * fl * x[i];
        }
        // Weighted least squares for value = scale*l + min over this assignment.
        const float D = sum_w * sum_l2 - sum_l * sum_l;
        if (D > 0) {
            float this_scale = (sum_w * sum_xl - sum_x * sum_l) / D;
            float this_min = (sum_l2 * sum_x - sum_l * sum_xl) / D;
            if (this_min > 0) {
                this_min = 0;
                this_scale = sum_xl / sum_l2;
            }
            float cur_error = 0;
            for (int i = 0; i < n; ++i) {
                const float diff = this_scale * static_cast<float>(Laux[i]) + this_min - x[i];
                cur_error += weights[i] * error_of(diff);
            }
            if (cur_error < best_error) {
                std::copy(Laux, Laux + n, L);
                best_error = cur_error;
                scale = this_scale;
                min = this_min;
            }
        }
    }
    *neg_min = -min;
    return scale;
}

float make_qp_quants(int n, int nmax, const float* x, uint8_t* L, const float* qw) {
    float max = 0;
    for (int i = 0; i < n; ++i) max = std::max(max, x[i]);
    if (max == 0.f) {
        std::fill(L, L + n, uint8_t{0});
        return 0.f;
    }
    const float fnmax = static_cast<float>(nmax);
    // Pick the best of nine scales around nmax/max by weighted squared error...
    float iscale = fnmax / max;
    const float scale0 = 1 / iscale;
    float best_mse = 0;
    for (int i = 0; i < n; ++i) {
        const float diff = x[i] - scale0 * static_cast<float>(nearest_int(iscale * x[i]));
        best_mse += qw[i] * diff * diff;
    }
    for (int is = -4; is <= 4; ++is) {
        if (is == 0) continue;
        const float iscale_is = (0.1f * static_cast<float>(is) + fnmax) / max;
        const float scale_is = 1 / iscale_is;
        float mse = 0;
        for (int i = 0; i < n; ++i) {
            const int l = std::min(nmax, nearest_int(iscale_is * x[i]));
            const float diff = x[i] - scale_is * static_cast<float>(l);
            mse += qw[i] * diff * diff;
        }
        if (mse < best_mse) {
            best_mse = mse;
            iscale = iscale_is;
        }
    }
    float sumlx = 0, suml2 = 0;
    for (int i = 0; i < n; ++i) {
        const int l = std::min(nmax, nearest_int(iscale * x[i]));
        L[i] = static_cast<uint8_t>(l);
        const float fl = static_cast<float>(l);
        sumlx += qw[i] * x[i] * fl;
        suml2 += qw[i] * fl * fl;
    }
    // ...then move single values while the least-squares fit improves.
    for (int itry = 0; itry < 5; ++itry) {
        int n_changed = 0;
        for (int i = 0; i < n; ++i) {
            const float w = qw[i];
            const float li = static_cast<float>(L[i]);
            float slx = sumlx - w * x[i] * li;
            float sl2 = suml2 - w * li * li;
            if (slx > 0 && sl2 > 0) {
                const int new_l = std::min(nmax, nearest_int(x[i] * sl2 / slx));
                if (new_l != L[i]) {
                    const float nl = static_cast<float>(new_l);
                    slx += w * x[i] * nl;
                    sl2 += w * nl * nl;
                    if (slx * slx * suml2 > sumlx * sumlx * sl2) {
                        L[i] = static_cast<uint8_t>(new_l);
                        sumlx = slx;
                        suml2 = sl2;
                        ++n_changed;
                    }
                }
            }
        }
        if (!n_changed) break;
    }
    return suml2 > 0 ? sumlx / suml2 : 0.f;
}

}  // namespace tessera::quant_detail
