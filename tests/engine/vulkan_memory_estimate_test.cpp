// The models page's estimate (engine/model/memory_estimate.h, from the GGUF header alone)
// against what the Vulkan backend computes it will allocate for the loaded model: the page
// must promise what the backend will ask for. No device is needed: both are arithmetic.
#include <gtest/gtest.h>

#include "backend/vulkan/forward.h"
#include "model/memory_estimate.h"
#include "model/model.h"
#include "support/synthetic_models.h"

namespace tessera::test {
namespace {

void expect_estimate_matches_backend(const std::string& key, const SyntheticSpec& spec) {
    const std::string path = synthetic_model_path(key, spec);
    auto model = Model::load(path);
    ASSERT_TRUE(model.ok()) << model.error().message;
    for (int64_t n_ctx : {64, 512, 4096}) {
        vulkan::ForwardOptions options;
        options.n_ctx = n_ctx;
        const uint64_t backend = vulkan::vulkan_forward_bytes(**model, options);
        const MemoryNeeds needs = estimate_memory((*model)->config(), tensor_bytes((*model)->file()), n_ctx, options.n_batch);
        // To the byte for these files (f32 norms, no rope_freqs, which the estimate counts and
        // the backend folds into its rope table): a change to the backend's buffers shows here.
        EXPECT_EQ(needs.total(), backend) << key << " n_ctx " << n_ctx;
    }
}

TEST(VulkanMemoryEstimate, MatchesTheBackendForEveryBlockVariant) {
    SyntheticSpec spec = small_spec(6);
    spec.layers = {gqa_layer(2, 96), layer(AttentionKind::Linear, 0, FfnKind::SwiGlu, 64),
                   layer(AttentionKind::None, 0, FfnKind::SwiGlu, 128), layer(AttentionKind::Gqa, 1, FfnKind::Linear, 0),
                   layer(AttentionKind::Gqa, 4, FfnKind::None, 0), layer(AttentionKind::None, 0, FfnKind::None, 0)};
    expect_estimate_matches_backend("estimate-vs-vulkan", spec);
}

TEST(VulkanMemoryEstimate, MatchesTheBackendForQuantizedWeightsAndTiedOutput) {
    SyntheticSpec spec = small_spec(4);
    spec.n_embd = 256;
    spec.n_head = 8;
    spec.n_vocab = 512;
    spec.tied_output = true;
    spec.type = TensorType::Q8_0;
    spec.layers = {gqa_layer(2, 512), gqa_layer(4, 768), layer(AttentionKind::None, 0, FfnKind::SwiGlu, 256), gqa_layer(8, 512)};
    expect_estimate_matches_backend("estimate-vs-vulkan-q8", spec);
}

}  // namespace
}  // namespace tessera::test
