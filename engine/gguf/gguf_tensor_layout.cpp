// Tensor infos and where their data lies: the checks behind invariants 2 and 3 of
// gguf_file.h (known type, sane dims, no overflow, aligned, inside the file, no overlap).
#include <algorithm>
#include <numeric>

#include "gguf/gguf_parser.h"

namespace tessera {
std::string dims_text(const std::vector<int64_t>& dims) {
    std::string out = "[";
    for (size_t i = 0; i < dims.size(); ++i) out += (i ? ", " : "") + std::to_string(dims[i]);
    return out + "]";
}

Status GgufParser::read_tensor_infos(uint64_t n_tensors) {
    // read_header bounded n_tensors by the whole file; the metadata has consumed part of it.
    if (n_tensors > cur_.remaining() / kMinTensorInfoBytes)
        return Error{"header claims " + std::to_string(n_tensors) + " tensors (at least " +
                     std::to_string(kMinTensorInfoBytes) + " bytes of info each), but only " +
                     std::to_string(cur_.remaining()) + " bytes follow the metadata (offset " +
                     std::to_string(cur_.offset()) + "): the file is truncated or corrupt"};
    TESSERA_TRY(in_prefix(n_tensors, kMinTensorInfoBytes));
    file_.tensors_.reserve(static_cast<size_t>(n_tensors));
    for (uint64_t index = 0; index < n_tensors; ++index) {
        GgufTensorInfo info;
        TESSERA_TRY(read_tensor_info(index, info));
        if (file_.tensor_index_.count(info.name))
            return Error{"duplicate tensor name " + quoted(info.name) + " (tensor info #" +
                         std::to_string(index) + ")"};
        file_.tensor_index_.emplace(info.name, file_.tensors_.size());
        file_.tensors_.push_back(std::move(info));
    }
    return {};
}

Status GgufParser::read_tensor_info(uint64_t index, GgufTensorInfo& info) {
    TESSERA_TRY(read_name(info.name, "the name of tensor #" + std::to_string(index)));
    const std::string t = "tensor " + quoted(info.name);
    const uint64_t dims_at = cur_.offset();
    uint32_t n_dims = 0;
    if (!cur_.read(n_dims)) return truncated("the info of " + t);
    if (n_dims == 0) return Error{t + " has 0 dimensions (offset " + std::to_string(dims_at) + ")"};
    if (n_dims > kMaxTensorDims)
        return Error{t + " has " + std::to_string(n_dims) + " dimensions; at most " +
                     std::to_string(kMaxTensorDims) + " are supported (offset " +
                     std::to_string(dims_at) + ")"};
    info.dims.resize(n_dims);
    for (auto& d : info.dims)
        if (!cur_.read(d)) return truncated("the dimensions of " + t);
    for (uint32_t i = 0; i < n_dims; ++i)
        if (info.dims[i] <= 0)
            return Error{t + " has dimension " + std::to_string(i) + " = " + std::to_string(info.dims[i]) +
                         " in " + dims_text(info.dims) + "; every dimension must be at least 1"};

    const uint64_t type_at = cur_.offset();
    uint32_t type_id = 0;
    if (!cur_.read(type_id) || !cur_.read(info.offset)) return truncated("the info of " + t);
    const auto type = tensor_type_info(type_id);
    if (!type)
        return Error{t + " has unknown type id " + std::to_string(type_id) + " (offset " +
                     std::to_string(type_at) + ")"};
    info.type = type->type;

    if (info.dims[0] % type->block_elems != 0)
        return Error{t + ": row length " + std::to_string(info.dims[0]) + " is not a multiple of the " +
                     std::string(type->name) + " block size " + std::to_string(type->block_elems)};
    int64_t elements = 1;
    for (int64_t d : info.dims)
        if (__builtin_mul_overflow(elements, d, &elements))
            return Error{t + ": element count of " + dims_text(info.dims) + " overflows 64 bits"};
    const uint64_t blocks = static_cast<uint64_t>(elements) / static_cast<uint64_t>(type->block_elems);
    if (__builtin_mul_overflow(blocks, static_cast<uint64_t>(type->block_bytes), &info.n_bytes))
        return Error{t + ": byte size of " + dims_text(info.dims) + " " + std::string(type->name) +
                     " elements overflows 64 bits"};
    return {};
}

Status GgufParser::place_tensors() {
    const uint64_t align = file_.alignment_;
    const uint64_t file_size = cur_.size();
    // The data section starts at the next multiple of the alignment after the tensor infos.
    // The cursor is inside the file, so this cannot overflow.
    const uint64_t data_start = (cur_.offset() + align - 1) / align * align;
    const uint64_t data_size = data_start < file_size ? file_size - data_start : 0;
    auto& tensors = file_.tensors_;

    // M13: sizes that each fit in 64 bits can still wrap when added up.
    uint64_t total = 0;
    for (const auto& info : tensors)
        if (__builtin_add_overflow(total, info.n_bytes, &total))
            return Error{"tensor data sizes overflow 64 bits when added up (at tensor " + quoted(info.name) + ")"};

    for (auto& info : tensors) {
        const std::string t = "tensor " + quoted(info.name);
        if (info.offset % align != 0)
            return Error{t + ": data offset " + std::to_string(info.offset) +
                         " is not a multiple of the alignment " + std::to_string(align)};
        if (info.offset >= data_size)
            return Error{t + ": data offset " + std::to_string(info.offset) + " (data section at " +
                         std::to_string(data_start) + ") is past the end of the file (" +
                         std::to_string(file_size) + " bytes)"};
        if (info.n_bytes > data_size - info.offset)
            return Error{t + ": data (offset " + std::to_string(info.offset) + ", " +
                         std::to_string(info.n_bytes) + " bytes, data section at " +
                         std::to_string(data_start) + ") runs past the end of the file (" +
                         std::to_string(file_size) + " bytes)"};
        if (!header_only_) info.data = file_.base_ + data_start + info.offset;
    }

    std::vector<size_t> order(tensors.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::sort(order.begin(), order.end(),
              [&](size_t a, size_t b) { return tensors[a].offset < tensors[b].offset; });
    for (size_t i = 1; i < order.size(); ++i) {
        const auto& prev = tensors[order[i - 1]];
        const auto& next = tensors[order[i]];
        if (prev.offset + prev.n_bytes > next.offset)  // both are inside the file: no overflow
            return Error{"tensors " + quoted(prev.name) + " (offset " + std::to_string(prev.offset) + ", " +
                         std::to_string(prev.n_bytes) + " bytes) and " + quoted(next.name) + " (offset " +
                         std::to_string(next.offset) + ") overlap"};
    }
    return {};
}

}  // namespace tessera
