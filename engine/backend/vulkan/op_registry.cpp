#include "backend/vulkan/op_registry.h"

#include <cctype>

#include "backend/vulkan/spirv.h"

namespace tessera::vulkan {
namespace {

// Push-constant sizes mirror the `Params` blocks in the shaders (uints and floats, 4 bytes each).
constexpr OpSpec kOps[] = {
    {Op::MulMat, "mul_mat", true, {3, 6 * 4}},    // W, x, y; M K N row_bytes row0 y_rows
    {Op::GetRows, "get_rows", true, {3, 5 * 4}},  // table, ids, y; K n_ids row_bytes n_rows row0
    {Op::QuantizeAct, "quantize_act", true, {2, 1 * 4}},  // x, y; n (typed by the dot type)
    {Op::RmsNorm, "rms_norm", false, {3, 3 * 4}}, // x, weight, y; n rows eps
    {Op::Rope, "rope", false, {2, 3 * 4}},        // x, cos_sin; n_heads head_dim tokens
    {Op::SwiGlu, "swiglu", false, {2, 1 * 4}},    // gate, up; n
    {Op::Add, "add", false, {2, 1 * 4}},          // x, y; n
    {Op::Softmax, "softmax", false, {1, 2 * 4}},  // x; n rows
    {Op::KvStore, "kv_store", false, {2, 3 * 4}}, // src, cache; kv_dim pos n
    // q, k cache, v cache, scores, out; head_dim n_head n_head_kv pos n_ctx tokens scale
    {Op::Attention, "attention", false, {5, 7 * 4}},
    {Op::Argmax, "argmax", false, {2, 2 * 4}},    // x, ids; n rows
    {Op::TopK, "top_k", false, {2, 5 * 4}},       // x, (id, value) pairs; n rows k first count
};

}  // namespace

std::span<const OpSpec> op_registry() { return kOps; }

const OpSpec& op_spec(Op op) {
    for (const OpSpec& s : kOps)
        if (s.op == op) return s;
    return kOps[0];  // unreachable: every Op has a row (checked by the registry test)
}

std::string op_shader(Op op, TensorType type) {
    const OpSpec& spec = op_spec(op);
    std::string name(spec.shader);
    if (!spec.typed) return name;
    name += '_';
    for (char c : tensor_type_info(type).name) name += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return name;
}

bool op_supports(Op op, TensorType type) { return !spirv(op_shader(op, type)).empty(); }

}  // namespace tessera::vulkan
