// The GPU ops: one shader each (shaders/<name>.comp), one row in op_registry.cpp, one test
// (tests/engine/vulkan_*_test.cpp). Ops that read weights are compiled once per weight type
// ("mul_mat_q8_0"); which types exist is read from the embedded modules, so adding a type
// is one line in shaders/CMakeLists.txt and one branch in shaders/dequant.glsl.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "backend/vulkan/pipeline_cache.h"
#include "quant/tensor_type.h"

namespace tessera::vulkan {

enum class Op { MulMat, GetRows, QuantizeAct, RmsNorm, Rope, SwiGlu, Add, Softmax, KvStore, Attention, Argmax, TopK };

struct OpSpec {
    Op op;
    std::string_view shader;   // base name; typed ops append "_<type>"
    bool typed;                // one variant per weight type
    ShaderInterface interface;
};

std::span<const OpSpec> op_registry();
const OpSpec& op_spec(Op op);

// The module name for `op` over weights of `type` ("mul_mat_q4_k"); untyped ops ignore type.
std::string op_shader(Op op, TensorType type = TensorType::F32);
// Whether that module is embedded in this build.
bool op_supports(Op op, TensorType type);

}  // namespace tessera::vulkan
