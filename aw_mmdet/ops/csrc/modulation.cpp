// AW-convolution's weight modulation on CPU, fused: one pass over the per-sample weights forward,
// one pass over their gradients backward, no other weight-sized temporaries.
//
//   out[n, d, c, k] = 2 W[d, c, k] sigmoid(z),  z = a_out[n, d, k] + a_in[n, c, k]  (factorized)
//                                               z = logits[n, d, c, k]             (dense)
//
// The reference is aw_mmdet.ops.functional.attention_map (the one formula of every path).
// Rows: one (n, d) row is the C*K values of W[d] (C = in channels per group, K = kernel area),
// contiguous in every tensor. Threads split the output channels d, so dW rows, a_out gradients
// and output rows never race; a_in gradients (a sum over d) go to one buffer per chunk of output
// channels, summed in chunk order (the same result for the same thread count).
//
// Factorized forward/backward avoid an exp per value: sigmoid(a + b) = 1 / (1 + e^-a e^-b), with
// e^-a (N*D*K values) and e^-b (N*C*K values) computed once. That is exact in real arithmetic and
// finite in floating point while |a|, |b| stay below log(max float) / 2 (checked per call; above
// it the kernel exponentiates the sum per value). a_out's values repeat every K along a row, so
// they are laid out once per row in a buffer whose length is a multiple of both K and the vector
// width, and read from it with the row's phase.
#include <ATen/Parallel.h>
#include <ATen/cpu/vec/vec.h>
#include <torch/extension.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <mutex>
#include <numeric>
#include <utility>
#include <vector>

namespace {

using at::vec::Vectorized;

// A buffer of `length` values holding period[k % K]: the a_out row tiled to the vector width.
template <typename scalar_t>
struct Tiled {
  std::vector<scalar_t> values;
  int64_t period;  // K
  explicit Tiled(int64_t K, int64_t row) : period(K) {
    const int64_t V = Vectorized<scalar_t>::size();
    const int64_t tile = std::lcm(K, V);
    const int64_t rounded = (row + V - 1) / V * V;
    values.resize(std::max<int64_t>(std::min(tile, rounded), V));
  }
  void fill(const scalar_t* period_values) {
    const int64_t n = length();
    for (int64_t i = 0; i < n; i += period) {
      std::copy(period_values, period_values + std::min(period, n - i), values.data() + i);
    }
  }
  // out[k] = sum of acc[i] over i % K == k (acc has length() values)
  void fold(const scalar_t* acc, scalar_t* out) const {
    const int64_t n = length();
    for (int64_t i = 0; i < n; i += period) {
      for (int64_t k = 0; k < std::min(period, n - i); ++k) out[k] += acc[i + k];
    }
  }
  int64_t length() const { return static_cast<int64_t>(values.size()); }
};

template <typename scalar_t>
void exp_neg(const scalar_t* in, scalar_t* out, int64_t count) {
  using Vec = Vectorized<scalar_t>;
  int64_t i = 0;
  for (; i + Vec::size() <= count; i += Vec::size()) Vec::loadu(in + i).neg().exp().store(out + i);
  for (; i < count; ++i) out[i] = std::exp(-in[i]);
}

// t = e^-z for vectors starting at row position j: product of exps, or the exp of the sum.
template <typename scalar_t, bool kProduct>
inline Vectorized<scalar_t> neg_exp_vec(const scalar_t* tiled, const scalar_t* in_row, int64_t j,
                                        int64_t phase) {
  using Vec = Vectorized<scalar_t>;
  if (kProduct) return Vec::loadu(tiled + phase) * Vec::loadu(in_row + j);
  return (Vec::loadu(tiled + phase) + Vec::loadu(in_row + j)).neg().exp();
}

template <typename scalar_t, bool kProduct>
inline scalar_t neg_exp_scalar(const scalar_t* period, const scalar_t* in_row, int64_t j,
                               int64_t K) {
  if (kProduct) return period[j % K] * in_row[j];
  return std::exp(-(period[j % K] + in_row[j]));
}

// Factorized forward. `out_terms` (N, D, K) and `in_terms` (N, C, K) are e^-a and e^-b when
// kProduct, else the logits themselves.
template <typename scalar_t, bool kProduct>
void factorized_forward(const scalar_t* w, const scalar_t* out_terms, const scalar_t* in_terms,
                        scalar_t* out, int64_t N, int64_t D, int64_t C, int64_t K) {
  using Vec = Vectorized<scalar_t>;
  const int64_t V = Vec::size(), row = C * K;
  at::parallel_for(0, D, 1, [&](int64_t d0, int64_t d1) {
    Tiled<scalar_t> tiled(K, row);
    for (int64_t d = d0; d < d1; ++d) {
      const scalar_t* w_row = w + d * row;
      for (int64_t n = 0; n < N; ++n) {
        const scalar_t* period = out_terms + (n * D + d) * K;
        const scalar_t* in_row = in_terms + n * row;
        scalar_t* o = out + (n * D + d) * row;
        tiled.fill(period);
        int64_t j = 0, phase = 0;
        for (; j + V <= row; j += V) {
          Vec t = neg_exp_vec<scalar_t, kProduct>(tiled.values.data(), in_row, j, phase);
          (Vec::loadu(w_row + j) * Vec(2) / (Vec(1) + t)).store(o + j);
          phase += V;
          if (phase == tiled.length()) phase = 0;
        }
        for (; j < row; ++j) {
          o[j] = 2 * w_row[j] / (1 + neg_exp_scalar<scalar_t, kProduct>(period, in_row, j, K));
        }
      }
    }
  });
}

// Factorized backward: g = dL/dout. dW = 2 sum_n g s; dz = 2 W g s (1 - s);
// d a_out = sum_c dz, d a_in = sum_d dz.
template <typename scalar_t, bool kProduct>
void factorized_backward(const scalar_t* g, const scalar_t* w, const scalar_t* out_terms,
                         const scalar_t* in_terms, scalar_t* grad_w, scalar_t* grad_out,
                         scalar_t* grad_in, int64_t N, int64_t D, int64_t C, int64_t K) {
  using Vec = Vectorized<scalar_t>;
  const int64_t V = Vec::size(), row = C * K;
  // one a_in gradient buffer per chunk of output channels (N*C*K values), summed in chunk order
  std::vector<std::pair<int64_t, std::vector<scalar_t>>> in_parts;
  std::mutex parts_mutex;
  at::parallel_for(0, D, 1, [&](int64_t d0, int64_t d1) {
    Tiled<scalar_t> tiled(K, row);
    std::vector<scalar_t> out_acc(tiled.length());
    std::vector<scalar_t> own_part(grad_in ? N * row : 0, scalar_t(0));
    scalar_t* in_part = grad_in ? own_part.data() : nullptr;
    for (int64_t d = d0; d < d1; ++d) {
      const scalar_t* w_row = w + d * row;
      scalar_t* gw_row = grad_w ? grad_w + d * row : nullptr;
      if (gw_row) std::fill(gw_row, gw_row + row, scalar_t(0));
      for (int64_t n = 0; n < N; ++n) {
        const scalar_t* period = out_terms + (n * D + d) * K;
        const scalar_t* in_row = in_terms + n * row;
        const scalar_t* g_row = g + (n * D + d) * row;
        scalar_t* in_acc = in_part ? in_part + n * row : nullptr;
        tiled.fill(period);
        std::fill(out_acc.begin(), out_acc.end(), scalar_t(0));
        int64_t j = 0, phase = 0;
        for (; j + V <= row; j += V) {
          Vec t = neg_exp_vec<scalar_t, kProduct>(tiled.values.data(), in_row, j, phase);
          Vec s = Vec(1) / (Vec(1) + t);
          Vec gs = Vec::loadu(g_row + j) * s;
          if (gw_row) (Vec::loadu(gw_row + j) + gs).store(gw_row + j);
          if (in_acc) {
            Vec dz = gs * (Vec(1) - s) * Vec::loadu(w_row + j) * Vec(2);
            (Vec::loadu(out_acc.data() + phase) + dz).store(out_acc.data() + phase);
            (Vec::loadu(in_acc + j) + dz).store(in_acc + j);
          }
          phase += V;
          if (phase == tiled.length()) phase = 0;
        }
        scalar_t* go = grad_out ? grad_out + (n * D + d) * K : nullptr;
        if (go) {
          std::fill(go, go + K, scalar_t(0));
          tiled.fold(out_acc.data(), go);
        }
        for (; j < row; ++j) {
          scalar_t s = 1 / (1 + neg_exp_scalar<scalar_t, kProduct>(period, in_row, j, K));
          scalar_t gs = g_row[j] * s;
          if (gw_row) gw_row[j] += gs;
          if (in_acc) {
            scalar_t dz = gs * (1 - s) * w_row[j] * 2;
            go[j % K] += dz;
            in_acc[j] += dz;
          }
        }
      }
      if (gw_row) {
        for (int64_t j = 0; j < row; ++j) gw_row[j] *= 2;
      }
    }
    if (grad_in) {
      std::lock_guard<std::mutex> lock(parts_mutex);
      in_parts.emplace_back(d0, std::move(own_part));
    }
  });
  if (grad_in) {
    std::sort(in_parts.begin(), in_parts.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    std::fill(grad_in, grad_in + N * row, scalar_t(0));
    for (const auto& part : in_parts) {
      for (int64_t i = 0; i < N * row; ++i) grad_in[i] += part.second[i];
    }
  }
}

// Dense forward: out = 2 W sigmoid(logits), logits (N, D, C, K).
template <typename scalar_t>
void dense_forward(const scalar_t* w, const scalar_t* logits, scalar_t* out, int64_t N,
                   int64_t D, int64_t row) {
  using Vec = Vectorized<scalar_t>;
  const int64_t V = Vec::size();
  at::parallel_for(0, D, 1, [&](int64_t d0, int64_t d1) {
    for (int64_t d = d0; d < d1; ++d) {
      const scalar_t* w_row = w + d * row;
      for (int64_t n = 0; n < N; ++n) {
        const scalar_t* l = logits + (n * D + d) * row;
        scalar_t* o = out + (n * D + d) * row;
        int64_t j = 0;
        for (; j + V <= row; j += V) {
          Vec t = Vec::loadu(l + j).neg().exp();
          (Vec::loadu(w_row + j) * Vec(2) / (Vec(1) + t)).store(o + j);
        }
        for (; j < row; ++j) o[j] = 2 * w_row[j] / (1 + std::exp(-l[j]));
      }
    }
  });
}

// Dense backward: dW = 2 sum_n g s, dlogits = 2 W g s (1 - s).
template <typename scalar_t>
void dense_backward(const scalar_t* g, const scalar_t* w, const scalar_t* logits,
                    scalar_t* grad_w, scalar_t* grad_logits, int64_t N, int64_t D, int64_t row) {
  using Vec = Vectorized<scalar_t>;
  const int64_t V = Vec::size();
  at::parallel_for(0, D, 1, [&](int64_t d0, int64_t d1) {
    for (int64_t d = d0; d < d1; ++d) {
      const scalar_t* w_row = w + d * row;
      scalar_t* gw_row = grad_w ? grad_w + d * row : nullptr;
      if (gw_row) std::fill(gw_row, gw_row + row, scalar_t(0));
      for (int64_t n = 0; n < N; ++n) {
        const int64_t offset = (n * D + d) * row;
        const scalar_t* l = logits + offset;
        const scalar_t* g_row = g + offset;
        scalar_t* gl = grad_logits ? grad_logits + offset : nullptr;
        int64_t j = 0;
        for (; j + V <= row; j += V) {
          Vec s = Vec(1) / (Vec(1) + Vec::loadu(l + j).neg().exp());
          Vec gs = Vec::loadu(g_row + j) * s;
          if (gw_row) (Vec::loadu(gw_row + j) + gs).store(gw_row + j);
          if (gl) (gs * (Vec(1) - s) * Vec::loadu(w_row + j) * Vec(2)).store(gl + j);
        }
        for (; j < row; ++j) {
          scalar_t s = 1 / (1 + std::exp(-l[j]));
          scalar_t gs = g_row[j] * s;
          if (gw_row) gw_row[j] += gs;
          if (gl) gl[j] = gs * (1 - s) * w_row[j] * 2;
        }
      }
      if (gw_row) {
        for (int64_t j = 0; j < row; ++j) gw_row[j] *= 2;
      }
    }
  });
}

void check_inputs(const at::Tensor& weight, std::initializer_list<at::Tensor> others) {
  TORCH_CHECK(weight.device().is_cpu() && weight.is_contiguous() && weight.dim() == 4,
              "aw modulation kernel: weight must be a contiguous 4-D CPU tensor");
  for (const auto& t : others) {
    TORCH_CHECK(t.device().is_cpu() && t.is_contiguous() && t.scalar_type() == weight.scalar_type(),
                "aw modulation kernel: every tensor must be contiguous, on CPU, of the weight's "
                "dtype");
  }
}

// e^-a and e^-b for the product form, or the logits themselves where some |logit| is too large
// for it (the product of exps must stay finite: |a|, |b| below log(max) / 2). Small tensors, so
// one sequential pass each, without the overhead of ATen's parallel ops.
template <typename scalar_t>
bool factorized_terms(const at::Tensor& out_logits, const at::Tensor& in_logits,
                      at::Tensor& out_terms, at::Tensor& in_terms) {
  const scalar_t bound = std::log(std::numeric_limits<scalar_t>::max()) / 2 - 1;
  for (const at::Tensor* t : {&out_logits, &in_logits}) {
    const scalar_t* p = t->data_ptr<scalar_t>();
    for (int64_t i = 0; i < t->numel(); ++i) {
      if (!(std::abs(p[i]) <= bound)) {  // also false for NaN: exps of the sums then
        out_terms = out_logits;
        in_terms = in_logits;
        return false;
      }
    }
  }
  out_terms = at::empty_like(out_logits);
  in_terms = at::empty_like(in_logits);
  exp_neg(out_logits.data_ptr<scalar_t>(), out_terms.data_ptr<scalar_t>(), out_logits.numel());
  exp_neg(in_logits.data_ptr<scalar_t>(), in_terms.data_ptr<scalar_t>(), in_logits.numel());
  return true;
}

at::Tensor factorized_forward_op(const at::Tensor& weight, const at::Tensor& out_logits,
                                 const at::Tensor& in_logits) {
  check_inputs(weight, {out_logits, in_logits});
  const int64_t N = out_logits.size(0), D = weight.size(0), C = weight.size(1);
  const int64_t K = weight.size(2) * weight.size(3);
  auto out = at::empty({N, D, C, weight.size(2), weight.size(3)}, weight.options());
  AT_DISPATCH_FLOATING_TYPES(weight.scalar_type(), "aw_factorized_forward", [&] {
    at::Tensor out_terms, in_terms;
    const bool product = factorized_terms<scalar_t>(out_logits, in_logits, out_terms, in_terms);
    auto run = product ? factorized_forward<scalar_t, true> : factorized_forward<scalar_t, false>;
    run(weight.data_ptr<scalar_t>(), out_terms.data_ptr<scalar_t>(),
        in_terms.data_ptr<scalar_t>(), out.data_ptr<scalar_t>(), N, D, C, K);
  });
  return out;
}

std::vector<at::Tensor> factorized_backward_op(const at::Tensor& grad, const at::Tensor& weight,
                                               const at::Tensor& out_logits,
                                               const at::Tensor& in_logits, bool need_weight,
                                               bool need_logits) {
  check_inputs(weight, {grad, out_logits, in_logits});
  const int64_t N = out_logits.size(0), D = weight.size(0), C = weight.size(1);
  const int64_t K = weight.size(2) * weight.size(3);
  at::Tensor grad_w = need_weight ? at::empty_like(weight) : at::Tensor();
  at::Tensor grad_out = need_logits ? at::empty_like(out_logits) : at::Tensor();
  at::Tensor grad_in = need_logits ? at::empty_like(in_logits) : at::Tensor();
  AT_DISPATCH_FLOATING_TYPES(weight.scalar_type(), "aw_factorized_backward", [&] {
    at::Tensor out_terms, in_terms;
    const bool product = factorized_terms<scalar_t>(out_logits, in_logits, out_terms, in_terms);
    auto run = product ? factorized_backward<scalar_t, true> : factorized_backward<scalar_t, false>;
    run(grad.data_ptr<scalar_t>(), weight.data_ptr<scalar_t>(), out_terms.data_ptr<scalar_t>(),
        in_terms.data_ptr<scalar_t>(), need_weight ? grad_w.data_ptr<scalar_t>() : nullptr,
        need_logits ? grad_out.data_ptr<scalar_t>() : nullptr,
        need_logits ? grad_in.data_ptr<scalar_t>() : nullptr, N, D, C, K);
  });
  return {grad_w, grad_out, grad_in};
}

at::Tensor dense_forward_op(const at::Tensor& weight, const at::Tensor& logits) {
  check_inputs(weight, {logits});
  const int64_t N = logits.size(0), D = weight.size(0);
  auto out = at::empty(logits.sizes(), weight.options());
  AT_DISPATCH_FLOATING_TYPES(weight.scalar_type(), "aw_dense_forward", [&] {
    dense_forward<scalar_t>(weight.data_ptr<scalar_t>(), logits.data_ptr<scalar_t>(),
                            out.data_ptr<scalar_t>(), N, D, weight[0].numel());
  });
  return out;
}

std::vector<at::Tensor> dense_backward_op(const at::Tensor& grad, const at::Tensor& weight,
                                          const at::Tensor& logits, bool need_weight,
                                          bool need_logits) {
  check_inputs(weight, {grad, logits});
  const int64_t N = logits.size(0), D = weight.size(0);
  at::Tensor grad_w = need_weight ? at::empty_like(weight) : at::Tensor();
  at::Tensor grad_l = need_logits ? at::empty_like(logits) : at::Tensor();
  AT_DISPATCH_FLOATING_TYPES(weight.scalar_type(), "aw_dense_backward", [&] {
    dense_backward<scalar_t>(grad.data_ptr<scalar_t>(), weight.data_ptr<scalar_t>(),
                             logits.data_ptr<scalar_t>(),
                             need_weight ? grad_w.data_ptr<scalar_t>() : nullptr,
                             need_logits ? grad_l.data_ptr<scalar_t>() : nullptr, N, D,
                             weight[0].numel());
  });
  return {grad_w, grad_l};
}

}  // namespace

PYBIND11_MODULE(TORCH_EXTENSION_NAME, m) {
  m.def("factorized_forward", &factorized_forward_op, "2 W sigmoid(a_out + a_in), per sample");
  m.def("factorized_backward", &factorized_backward_op, "(dW, d a_out, d a_in)");
  m.def("dense_forward", &dense_forward_op, "2 W sigmoid(logits), per sample");
  m.def("dense_backward", &dense_backward_op, "(dW, d logits)");
}
