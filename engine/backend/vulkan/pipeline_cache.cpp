#include "backend/vulkan/pipeline_cache.h"

#include "backend/vulkan/spirv.h"
#include "backend/vulkan/vk_error.h"

namespace tessera::vulkan {
namespace {

std::string cache_key(std::string_view shader, std::span<const uint32_t> spec) {
    std::string key(shader);
    for (uint32_t v : spec) key += "|" + std::to_string(v);
    return key;
}

}  // namespace

Result<const Pipeline*> PipelineCache::get(std::string_view shader, const ShaderInterface& interface,
                                           std::span<const uint32_t> spec_constants) {
    const std::string key = cache_key(shader, spec_constants);
    if (auto it = pipelines_.find(key); it != pipelines_.end()) return it->second.get();
    auto built = build(shader, interface, spec_constants);
    if (!built) return built.error();
    auto [it, inserted] = pipelines_.emplace(key, std::make_unique<Pipeline>(std::move(built.value())));
    return it->second.get();
}

Result<Pipeline> PipelineCache::build(std::string_view shader, const ShaderInterface& interface,
                                      std::span<const uint32_t> spec) const {
    const std::span<const uint32_t> code = spirv(shader);
    if (code.empty()) return Error{"no embedded shader named '" + std::string(shader) + "' (is it in shaders/CMakeLists.txt?)"};
    const VkDevice dev = device_->handle();
    const std::string what = " for shader '" + std::string(shader) + "'";

    Pipeline p;
    p.name_ = shader;
    p.interface_ = interface;

    std::vector<VkDescriptorSetLayoutBinding> bindings(interface.bindings);
    for (uint32_t i = 0; i < interface.bindings; ++i)
        bindings[i] = {i, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, VK_SHADER_STAGE_COMPUTE_BIT, nullptr};
    VkDescriptorSetLayoutCreateInfo set_info{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO};
    set_info.bindingCount = interface.bindings;
    set_info.pBindings = bindings.data();
    VkDescriptorSetLayout set_layout = VK_NULL_HANDLE;
    TESSERA_TRY(vk_check(vkCreateDescriptorSetLayout(dev, &set_info, nullptr, &set_layout), "creating a descriptor set layout" + what));
    p.set_layout_ = DescriptorSetLayoutHandle(dev, set_layout);

    const VkPushConstantRange push{VK_SHADER_STAGE_COMPUTE_BIT, 0, interface.push_bytes};
    VkPipelineLayoutCreateInfo layout_info{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
    layout_info.setLayoutCount = 1;
    layout_info.pSetLayouts = &set_layout;
    layout_info.pushConstantRangeCount = interface.push_bytes > 0 ? 1 : 0;
    layout_info.pPushConstantRanges = &push;
    VkPipelineLayout layout = VK_NULL_HANDLE;
    TESSERA_TRY(vk_check(vkCreatePipelineLayout(dev, &layout_info, nullptr, &layout), "creating a pipeline layout" + what));
    p.layout_ = PipelineLayoutHandle(dev, layout);

    VkShaderModuleCreateInfo module_info{VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO};
    module_info.codeSize = code.size_bytes();
    module_info.pCode = code.data();
    VkShaderModule module = VK_NULL_HANDLE;
    TESSERA_TRY(vk_check(vkCreateShaderModule(dev, &module_info, nullptr, &module), "loading SPIR-V" + what));
    const ShaderModuleHandle module_owner(dev, module);  // only needed while the pipeline is built

    std::vector<VkSpecializationMapEntry> entries(spec.size());
    for (uint32_t i = 0; i < spec.size(); ++i) entries[i] = {i, i * static_cast<uint32_t>(sizeof(uint32_t)), sizeof(uint32_t)};
    VkSpecializationInfo spec_info{static_cast<uint32_t>(entries.size()), entries.data(), spec.size_bytes(), spec.data()};

    VkComputePipelineCreateInfo info{VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO};
    info.stage = {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO};
    info.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
    info.stage.module = module;
    info.stage.pName = "main";
    info.stage.pSpecializationInfo = spec.empty() ? nullptr : &spec_info;
    info.layout = layout;
    VkPipeline pipeline = VK_NULL_HANDLE;
    TESSERA_TRY(vk_check(vkCreateComputePipelines(dev, VK_NULL_HANDLE, 1, &info, nullptr, &pipeline), "creating a pipeline" + what));
    p.pipeline_ = PipelineHandle(dev, pipeline);
    return p;
}

}  // namespace tessera::vulkan
