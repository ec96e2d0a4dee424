// AW-convolution on CPU, fused: the per-sample weights 2 W sigmoid(z) computed row by row where
// they are used, with no other weight-sized temporaries.
//
//   Wn[d, c, k] = 2 W[d, c, k] sigmoid(z),  z = a_out[n, d, k] + a_in[n, c, k]  (factorized)
//                                           z = logits[n, d, c, k]             (dense)
//
// Two users of the same row routines:
// - modulation (forward: Wn for every sample; backward: dW and the logit gradients from dL/dWn),
//   for the grouped per-sample conv;
// - matmul_conv, the per-sample conv of small output maps as im2col columns times Wn: forward and
//   backward compute each block of Wn (and of dL/dWn) in a cache-sized buffer next to its GEMM, so
//   no tensor of N per-sample weights exists.
// The reference is aw_mmdet.ops.functional.attention_map (the one formula of every path).
//
// Rows: one (n, d) row is the C*K values of W[d] (C = input channels per group, K = kernel area),
// contiguous in every tensor. Threads split the output channels d, so dW rows, a_out gradients
// and output rows never race; sums over d (a_in gradients, im2col column gradients) go to one
// buffer per chunk of output channels, summed in chunk order (the same result for the same thread
// count).
//
// Factorized rows avoid an exp per value: sigmoid(a + b) = 1 / (1 + e^-a e^-b), with e^-a (N*D*K
// values) and e^-b (N*C*K values) computed once per call. That is exact in real arithmetic and
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
#include <type_traits>
#include <utility>
#include <vector>

namespace {

using at::vec::Vectorized;

// How a row's e^-z is formed.
enum class Form { kProduct, kSum, kDense };

// A buffer holding period[i % K]: the a_out values of a row tiled to the vector width.
template <typename scalar_t>
struct Tiled {
  std::vector<scalar_t> values;
  int64_t period;  // K
  Tiled(int64_t K, int64_t row) : period(K) {
    const int64_t V = Vectorized<scalar_t>::size();
    const int64_t rounded = (row + V - 1) / V * V;
    values.resize(std::max<int64_t>(std::min(std::lcm(K, V), rounded), V));
  }
  int64_t length() const { return static_cast<int64_t>(values.size()); }
  void fill(const scalar_t* period_values) {
    for (int64_t i = 0; i < length(); i += period) {
      std::copy(period_values, period_values + std::min(period, length() - i), values.data() + i);
    }
  }
  // out[k] += sum of acc[i] over i % K == k (acc has length() values)
  void fold(const scalar_t* acc, scalar_t* out) const {
    for (int64_t i = 0; i < length(); i += period) {
      for (int64_t k = 0; k < std::min(period, length() - i); ++k) out[k] += acc[i + k];
    }
  }
};

// One row's logits: `period` (K values, factorized) tiled into `tiled`, and `in` aligned with the
// row (factorized: a_in's row of the sample, as e^-b or b; dense: the row's logits).
template <typename scalar_t>
struct Row {
  const scalar_t* period;
  const scalar_t* tiled;
  int64_t tile;
  const scalar_t* in;
  int64_t K;
};

template <typename scalar_t, Form form>
inline Vectorized<scalar_t> neg_exp(const Row<scalar_t>& r, int64_t j, int64_t phase) {
  using Vec = Vectorized<scalar_t>;
  if constexpr (form == Form::kProduct) {
    return Vec::loadu(r.tiled + phase) * Vec::loadu(r.in + j);
  } else if constexpr (form == Form::kSum) {
    return (Vec::loadu(r.tiled + phase) + Vec::loadu(r.in + j)).neg().exp();
  } else {
    return Vec::loadu(r.in + j).neg().exp();
  }
}

template <typename scalar_t, Form form>
inline scalar_t neg_exp(const Row<scalar_t>& r, int64_t j) {
  if constexpr (form == Form::kProduct) {
    return r.period[j % r.K] * r.in[j];
  } else if constexpr (form == Form::kSum) {
    return std::exp(-(r.period[j % r.K] + r.in[j]));
  } else {
    return std::exp(-r.in[j]);
  }
}

// out = 2 w sigmoid(z) over one row of `len` values.
template <typename scalar_t, Form form>
void modulate_row(const Row<scalar_t>& r, const scalar_t* w, scalar_t* out, int64_t len) {
  using Vec = Vectorized<scalar_t>;
  const int64_t V = Vec::size();
  int64_t j = 0, phase = 0;
  for (; j + V <= len; j += V) {
    (Vec::loadu(w + j) * Vec(2) / (Vec(1) + neg_exp<scalar_t, form>(r, j, phase))).store(out + j);
    phase += V;
    if (phase == r.tile) phase = 0;
  }
  for (; j < len; ++j) out[j] = 2 * w[j] / (1 + neg_exp<scalar_t, form>(r, j));
}

// The backward of one row, g = dL/dout: gw += g s (the caller doubles it once all samples are in);
// dz = 2 w g s (1 - s) goes, factorized, to `z_acc` at the row's phase (the caller folds it into
// d a_out) and to `in_acc` (d a_in); dense, it is the logits' gradient row, written to `z_acc`.
template <typename scalar_t, Form form>
void backward_row(const Row<scalar_t>& r, const scalar_t* g, const scalar_t* w, scalar_t* gw,
                  scalar_t* z_acc, scalar_t* in_acc, int64_t len) {
  using Vec = Vectorized<scalar_t>;
  const int64_t V = Vec::size();
  int64_t j = 0, phase = 0;
  for (; j + V <= len; j += V) {
    Vec s = Vec(1) / (Vec(1) + neg_exp<scalar_t, form>(r, j, phase));
    Vec gs = Vec::loadu(g + j) * s;
    if (gw) (Vec::loadu(gw + j) + gs).store(gw + j);
    if (z_acc) {
      Vec dz = gs * (Vec(1) - s) * Vec::loadu(w + j) * Vec(2);
      if constexpr (form == Form::kDense) {
        dz.store(z_acc + j);
      } else {
        (Vec::loadu(z_acc + phase) + dz).store(z_acc + phase);
        (Vec::loadu(in_acc + j) + dz).store(in_acc + j);
      }
    }
    phase += V;
    if (phase == r.tile) phase = 0;
  }
  for (; j < len; ++j) {
    scalar_t s = 1 / (1 + neg_exp<scalar_t, form>(r, j));
    scalar_t gs = g[j] * s;
    if (gw) gw[j] += gs;
    if (z_acc) {
      scalar_t dz = gs * (1 - s) * w[j] * 2;
      if constexpr (form == Form::kDense) {
        z_acc[j] = dz;
      } else {
        z_acc[j % r.tile] += dz;
        in_acc[j] += dz;
      }
    }
  }
}

template <typename scalar_t>
void exp_neg(const scalar_t* in, scalar_t* out, int64_t count) {
  using Vec = Vectorized<scalar_t>;
  int64_t i = 0;
  for (; i + Vec::size() <= count; i += Vec::size()) Vec::loadu(in + i).neg().exp().store(out + i);
  for (; i < count; ++i) out[i] = std::exp(-in[i]);
}

// The logits of one call and what each form needs, and the rows they give.
template <typename scalar_t>
struct Logits {
  Form form;
  int64_t N, D, C, K;
  at::Tensor out_terms, in_terms;  // factorized: (N, D, K), (N, C, K); dense: -, (N, D, C, K)

  Logits(const std::vector<at::Tensor>& logits, int64_t D_, int64_t C_, int64_t K_)
      : N(logits[0].size(0)), D(D_), C(C_), K(K_) {
    if (logits.size() == 1) {
      form = Form::kDense;
      in_terms = logits[0];
      return;
    }
    // e^-a and e^-b where every |logit| is small enough for their product to stay finite; the
    // logits themselves otherwise (and for NaN). Small tensors: one sequential pass each.
    const scalar_t bound = std::log(std::numeric_limits<scalar_t>::max()) / 2 - 1;
    form = Form::kProduct;
    for (const auto& t : logits) {
      const scalar_t* p = t.data_ptr<scalar_t>();
      for (int64_t i = 0; i < t.numel(); ++i) {
        if (!(std::abs(p[i]) <= bound)) form = Form::kSum;
      }
    }
    if (form == Form::kSum) {
      out_terms = logits[0];
      in_terms = logits[1];
      return;
    }
    out_terms = at::empty_like(logits[0]);
    in_terms = at::empty_like(logits[1]);
    exp_neg(logits[0].data_ptr<scalar_t>(), out_terms.data_ptr<scalar_t>(), logits[0].numel());
    exp_neg(logits[1].data_ptr<scalar_t>(), in_terms.data_ptr<scalar_t>(), logits[1].numel());
  }

  int64_t row_length() const { return C * K; }

  // The row (n, d); factorized rows fill `tiled` with their a_out values.
  Row<scalar_t> row(int64_t n, int64_t d, Tiled<scalar_t>& tiled) const {
    if (form == Form::kDense) {
      const scalar_t* in = in_terms.data_ptr<scalar_t>() + (n * D + d) * C * K;
      return {nullptr, nullptr, std::numeric_limits<int64_t>::max(), in, K};
    }
    const scalar_t* period = out_terms.data_ptr<scalar_t>() + (n * D + d) * K;
    tiled.fill(period);
    return {period, tiled.values.data(), tiled.length(),
            in_terms.data_ptr<scalar_t>() + n * C * K, K};
  }
};

template <Form form>
using FormConstant = std::integral_constant<Form, form>;

// Calls f(FormConstant<form>{}): the form as a compile-time constant.
template <typename F>
void with_form(Form form, F&& f) {
  switch (form) {
    case Form::kProduct: f(FormConstant<Form::kProduct>{}); break;
    case Form::kSum: f(FormConstant<Form::kSum>{}); break;
    case Form::kDense: f(FormConstant<Form::kDense>{}); break;
  }
}

// Per-chunk buffers of a sum over output channels, added up in chunk order.
template <typename scalar_t>
struct ChunkSums {
  int64_t size;
  std::vector<std::pair<int64_t, std::vector<scalar_t>>> parts;
  std::mutex mutex;
  explicit ChunkSums(int64_t size_) : size(size_) {}
  void add(int64_t chunk, std::vector<scalar_t>&& part) {
    std::lock_guard<std::mutex> lock(mutex);
    parts.emplace_back(chunk, std::move(part));
  }
  void sum_into(scalar_t* out) {
    std::sort(parts.begin(), parts.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    std::fill(out, out + size, scalar_t(0));
    for (const auto& part : parts) {
      for (int64_t i = 0; i < size; ++i) out[i] += part.second[i];
    }
  }
};

// The logit gradients of one call: d a_out (N, D, K) and d a_in (N, C, K), or d logits.
template <typename scalar_t>
struct LogitGrads {
  std::vector<at::Tensor> tensors;  // empty when not needed
  LogitGrads(const std::vector<at::Tensor>& logits, bool needed) {
    if (needed) {
      for (const auto& t : logits) tensors.push_back(at::empty_like(t));
    }
  }
  bool needed() const { return !tensors.empty(); }
  scalar_t* out(int64_t n, int64_t d, const Logits<scalar_t>& L) const {
    return tensors[0].data_ptr<scalar_t>() + (n * L.D + d) * (L.form == Form::kDense ? L.C * L.K : L.K);
  }
};

// ---- modulation: Wn for every sample, and its backward ----

template <typename scalar_t>
void modulation_forward(const scalar_t* w, const Logits<scalar_t>& L, scalar_t* out) {
  const int64_t row = L.row_length();
  with_form(L.form, [&](auto form_constant) {
    constexpr Form form = decltype(form_constant)::value;
    at::parallel_for(0, L.D, 1, [&](int64_t d0, int64_t d1) {
      Tiled<scalar_t> tiled(L.K, row);
      for (int64_t d = d0; d < d1; ++d) {
        for (int64_t n = 0; n < L.N; ++n) {
          modulate_row<scalar_t, form>(L.row(n, d, tiled), w + d * row,
                                       out + (n * L.D + d) * row, row);
        }
      }
    });
  });
}

// One (n, d) row's backward, with the factorized a_out gradient folded in.
template <typename scalar_t, Form form>
void row_backward(const Logits<scalar_t>& L, const LogitGrads<scalar_t>& grads, int64_t n,
                  int64_t d, Tiled<scalar_t>& tiled, std::vector<scalar_t>& z_acc,
                  const scalar_t* g, const scalar_t* w, scalar_t* gw, scalar_t* in_acc) {
  const Row<scalar_t> r = L.row(n, d, tiled);
  if (!grads.needed()) {
    backward_row<scalar_t, form>(r, g, w, gw, nullptr, nullptr, L.row_length());
    return;
  }
  scalar_t* logit_grad = grads.out(n, d, L);
  if constexpr (form == Form::kDense) {
    backward_row<scalar_t, form>(r, g, w, gw, logit_grad, nullptr, L.row_length());
  } else {
    std::fill(z_acc.begin(), z_acc.end(), scalar_t(0));
    backward_row<scalar_t, form>(r, g, w, gw, z_acc.data(), in_acc, L.row_length());
    std::fill(logit_grad, logit_grad + L.K, scalar_t(0));
    tiled.fold(z_acc.data(), logit_grad);
  }
}

template <typename scalar_t>
void modulation_backward(const scalar_t* g, const scalar_t* w, const Logits<scalar_t>& L,
                         scalar_t* grad_w, const LogitGrads<scalar_t>& grads) {
  const int64_t row = L.row_length();
  const bool factorized_grads = grads.needed() && L.form != Form::kDense;
  ChunkSums<scalar_t> in_sums(L.N * row);
  with_form(L.form, [&](auto form_constant) {
    constexpr Form form = decltype(form_constant)::value;
    at::parallel_for(0, L.D, 1, [&](int64_t d0, int64_t d1) {
      Tiled<scalar_t> tiled(L.K, row);
      std::vector<scalar_t> z_acc(tiled.length());
      std::vector<scalar_t> in_part(factorized_grads ? L.N * row : 0, scalar_t(0));
      for (int64_t d = d0; d < d1; ++d) {
        scalar_t* gw = grad_w ? grad_w + d * row : nullptr;
        if (gw) std::fill(gw, gw + row, scalar_t(0));
        for (int64_t n = 0; n < L.N; ++n) {
          row_backward<scalar_t, form>(L, grads, n, d, tiled, z_acc,
                                       g + (n * L.D + d) * row, w + d * row, gw,
                                       factorized_grads ? in_part.data() + n * row : nullptr);
        }
        if (gw) {
          for (int64_t j = 0; j < row; ++j) gw[j] *= 2;
        }
      }
      if (factorized_grads) in_sums.add(d0, std::move(in_part));
    });
  });
  if (factorized_grads) in_sums.sum_into(grads.tensors[1].template data_ptr<scalar_t>());
}

// ---- matmul_conv: out[n] = Wn @ cols[n] per group, Wn made block by block ----

// Output-channel blocks [b0, b1) of a chunk [d0, d1): within one group, at most `rows` each.
template <typename F>
void for_blocks(int64_t d0, int64_t d1, int64_t per_group, int64_t rows, F&& f) {
  for (int64_t b0 = d0; b0 < d1;) {
    const int64_t group_end = (b0 / per_group + 1) * per_group;
    const int64_t b1 = std::min({d1, group_end, b0 + rows});
    f(b0, b1, b0 / per_group);
    b0 = b1;
  }
}

// Rows per block: the block of Wn (and of its gradient) stays within ~1 MB, the size of one core's
// L2 cache on the CPUs measured (docs/benchmarks.md).
int64_t block_rows(int64_t row, int64_t element_size) {
  return std::max<int64_t>(1, (1024 * 1024) / (row * element_size));
}

template <typename scalar_t>
void matmul_conv_forward(const at::Tensor& weight, const Logits<scalar_t>& L,
                         const at::Tensor& cols, int64_t groups, at::Tensor& out) {
  const int64_t row = L.row_length(), per_group = L.D / groups;
  const int64_t rows = block_rows(row, sizeof(scalar_t));
  const scalar_t* w = weight.data_ptr<scalar_t>();
  with_form(L.form, [&](auto form_constant) {
    constexpr Form form = decltype(form_constant)::value;
    at::parallel_for(0, L.D, 1, [&](int64_t d0, int64_t d1) {
      at::NoGradGuard no_grad;  // ATen ops on plain buffers in a worker thread
      Tiled<scalar_t> tiled(L.K, row);
      at::Tensor block = at::empty({rows, row}, weight.options());
      scalar_t* wb = block.data_ptr<scalar_t>();
      for_blocks(d0, d1, per_group, rows, [&](int64_t b0, int64_t b1, int64_t group) {
        for (int64_t n = 0; n < L.N; ++n) {
          for (int64_t d = b0; d < b1; ++d) {
            modulate_row<scalar_t, form>(L.row(n, d, tiled), w + d * row, wb + (d - b0) * row,
                                         row);
          }
          at::Tensor target = out[n].narrow(0, b0, b1 - b0);
          at::mm_out(target, block.narrow(0, 0, b1 - b0), cols[n].narrow(0, group * row, row));
        }
      });
    });
  });
}

template <typename scalar_t>
void matmul_conv_backward(const at::Tensor& grad, const at::Tensor& weight,
                          const Logits<scalar_t>& L, const at::Tensor& cols, int64_t groups,
                          scalar_t* grad_w, const LogitGrads<scalar_t>& grads,
                          at::Tensor& grad_cols) {
  const int64_t row = L.row_length(), per_group = L.D / groups;
  const int64_t rows = block_rows(row, sizeof(scalar_t));
  const bool factorized_grads = grads.needed() && L.form != Form::kDense;
  const bool need_cols = grad_cols.defined();
  const scalar_t* w = weight.data_ptr<scalar_t>();
  ChunkSums<scalar_t> in_sums(L.N * row), col_sums(need_cols ? cols.numel() : 0);
  with_form(L.form, [&](auto form_constant) {
    constexpr Form form = decltype(form_constant)::value;
    at::parallel_for(0, L.D, 1, [&](int64_t d0, int64_t d1) {
      at::NoGradGuard no_grad;  // ATen ops on plain buffers in a worker thread
      Tiled<scalar_t> tiled(L.K, row);
      std::vector<scalar_t> z_acc(tiled.length());
      std::vector<scalar_t> in_part(factorized_grads ? L.N * row : 0, scalar_t(0));
      std::vector<scalar_t> col_part(need_cols ? cols.numel() : 0, scalar_t(0));
      at::Tensor col_view = need_cols ? at::from_blob(col_part.data(), cols.sizes(),
                                                      cols.options()) : at::Tensor();
      at::Tensor block = at::empty({rows, row}, weight.options());
      at::Tensor grad_block = at::empty({rows, row}, weight.options());
      for_blocks(d0, d1, per_group, rows, [&](int64_t b0, int64_t b1, int64_t group) {
        if (grad_w) std::fill(grad_w + b0 * row, grad_w + b1 * row, scalar_t(0));
        const at::Tensor wb = block.narrow(0, 0, b1 - b0), gb = grad_block.narrow(0, 0, b1 - b0);
        for (int64_t n = 0; n < L.N; ++n) {
          const at::Tensor g = grad[n].narrow(0, b0, b1 - b0);      // (rows, P)
          const at::Tensor c = cols[n].narrow(0, group * row, row);  // (C*K, P)
          for (int64_t d = b0; d < b1; ++d) {
            modulate_row<scalar_t, form>(L.row(n, d, tiled), w + d * row,
                                         block.data_ptr<scalar_t>() + (d - b0) * row, row);
          }
          at::Tensor gb_out = gb;
          at::mm_out(gb_out, g, c.t());  // dL/dWn of the block
          if (need_cols) {
            at::Tensor target = col_view[n].narrow(0, group * row, row);
            target.addmm_(wb.t(), g);
          }
          for (int64_t d = b0; d < b1; ++d) {
            row_backward<scalar_t, form>(
                L, grads, n, d, tiled, z_acc, grad_block.data_ptr<scalar_t>() + (d - b0) * row,
                w + d * row, grad_w ? grad_w + d * row : nullptr,
                factorized_grads ? in_part.data() + n * row : nullptr);
          }
        }
        if (grad_w) {
          for (int64_t j = b0 * row; j < b1 * row; ++j) grad_w[j] *= 2;
        }
      });
      if (factorized_grads) in_sums.add(d0, std::move(in_part));
      if (need_cols) col_sums.add(d0, std::move(col_part));
    });
  });
  if (factorized_grads) in_sums.sum_into(grads.tensors[1].template data_ptr<scalar_t>());
  if (need_cols) col_sums.sum_into(grad_cols.data_ptr<scalar_t>());
}

// ---- the Python-facing ops ----

void check_inputs(const at::Tensor& weight, const std::vector<at::Tensor>& others) {
  TORCH_CHECK(weight.device().is_cpu() && weight.is_contiguous() && weight.dim() == 4,
              "aw kernel: weight must be a contiguous 4-D CPU tensor");
  for (const auto& t : others) {
    TORCH_CHECK(t.device().is_cpu() && t.is_contiguous() && t.scalar_type() == weight.scalar_type(),
                "aw kernel: every tensor must be contiguous, on CPU, of the weight's dtype");
  }
  TORCH_CHECK(!others.empty() && (others.size() <= 2), "aw kernel: 1 or 2 logit tensors");
}

int64_t kernel_area(const at::Tensor& weight) { return weight.size(2) * weight.size(3); }

at::Tensor modulate_op(const at::Tensor& weight, const std::vector<at::Tensor>& logits) {
  check_inputs(weight, logits);
  std::vector<int64_t> shape{logits[0].size(0)};
  for (auto s : weight.sizes()) shape.push_back(s);
  at::Tensor out = at::empty(shape, weight.options());
  AT_DISPATCH_FLOATING_TYPES(weight.scalar_type(), "aw_modulate", [&] {
    Logits<scalar_t> L(logits, weight.size(0), weight.size(1), kernel_area(weight));
    modulation_forward<scalar_t>(weight.data_ptr<scalar_t>(), L, out.data_ptr<scalar_t>());
  });
  return out;
}

std::vector<at::Tensor> modulate_backward_op(const at::Tensor& grad, const at::Tensor& weight,
                                             const std::vector<at::Tensor>& logits,
                                             bool need_weight, bool need_logits) {
  check_inputs(weight, logits);
  check_inputs(weight, {grad});
  at::Tensor grad_w = need_weight ? at::empty_like(weight) : at::Tensor();
  std::vector<at::Tensor> result{grad_w};
  AT_DISPATCH_FLOATING_TYPES(weight.scalar_type(), "aw_modulate_backward", [&] {
    Logits<scalar_t> L(logits, weight.size(0), weight.size(1), kernel_area(weight));
    LogitGrads<scalar_t> grads(logits, need_logits);
    modulation_backward<scalar_t>(grad.data_ptr<scalar_t>(), weight.data_ptr<scalar_t>(), L,
                                  need_weight ? grad_w.data_ptr<scalar_t>() : nullptr, grads);
    for (const auto& t : grads.tensors) result.push_back(t);
  });
  return result;
}

at::Tensor matmul_conv_op(const at::Tensor& weight, const std::vector<at::Tensor>& logits,
                          const at::Tensor& cols, int64_t groups) {
  check_inputs(weight, logits);
  check_inputs(weight, {cols});
  TORCH_CHECK(cols.dim() == 3 && cols.size(1) == groups * weight[0].numel(),
              "aw kernel: cols must be (N, groups * C/g * Kh * Kw, positions)");
  at::Tensor out = at::empty({cols.size(0), weight.size(0), cols.size(2)}, weight.options());
  AT_DISPATCH_FLOATING_TYPES(weight.scalar_type(), "aw_matmul_conv", [&] {
    Logits<scalar_t> L(logits, weight.size(0), weight.size(1), kernel_area(weight));
    matmul_conv_forward<scalar_t>(weight, L, cols, groups, out);
  });
  return out;
}

std::vector<at::Tensor> matmul_conv_backward_op(const at::Tensor& grad, const at::Tensor& weight,
                                                const std::vector<at::Tensor>& logits,
                                                const at::Tensor& cols, int64_t groups,
                                                bool need_weight, bool need_logits,
                                                bool need_cols) {
  check_inputs(weight, logits);
  check_inputs(weight, {cols, grad});
  at::Tensor grad_w = need_weight ? at::empty_like(weight) : at::Tensor();
  at::Tensor grad_cols = need_cols ? at::empty_like(cols) : at::Tensor();
  std::vector<at::Tensor> result{grad_w, grad_cols};
  AT_DISPATCH_FLOATING_TYPES(weight.scalar_type(), "aw_matmul_conv_backward", [&] {
    Logits<scalar_t> L(logits, weight.size(0), weight.size(1), kernel_area(weight));
    LogitGrads<scalar_t> grads(logits, need_logits);
    matmul_conv_backward<scalar_t>(grad, weight, L, cols, groups,
                                   need_weight ? grad_w.data_ptr<scalar_t>() : nullptr, grads,
                                   grad_cols);
    for (const auto& t : grads.tensors) result.push_back(t);
  });
  return result;
}

}  // namespace

PYBIND11_MODULE(TORCH_EXTENSION_NAME, m) {
  m.def("modulate", &modulate_op, "(N, D, C/g, Kh, Kw) per-sample weights 2 W sigmoid(z)");
  m.def("modulate_backward", &modulate_backward_op, "[dW, d logits...] from dL/dWn");
  m.def("matmul_conv", &matmul_conv_op, "(N, D, positions): Wn @ cols[n] per group");
  m.def("matmul_conv_backward", &matmul_conv_backward_op, "[dW, d cols, d logits...]");
}
