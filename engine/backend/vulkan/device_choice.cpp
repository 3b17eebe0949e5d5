#include "backend/vulkan/device_choice.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace tessera::vulkan {
namespace {

int rank(DeviceKind kind) {
    switch (kind) {
        case DeviceKind::Discrete: return 0;
        case DeviceKind::Integrated: return 1;
        case DeviceKind::Virtual: return 2;
        case DeviceKind::Cpu: return 3;
        case DeviceKind::Other: return 4;
    }
    return 4;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string device_list(const std::vector<DeviceInfo>& devices) {
    std::string out;
    for (const DeviceInfo& d : devices)
        out += (out.empty() ? "" : ", ") + std::to_string(d.index) + ": " + d.name;
    return out.empty() ? "none" : out;
}

}  // namespace

DeviceChoice default_device(const std::vector<DeviceInfo>& devices) {
    size_t best = 0;
    for (size_t i = 1; i < devices.size(); ++i) {
        const DeviceInfo &a = devices[i], &b = devices[best];
        const bool a_usable = a.compute_queue_family >= 0, b_usable = b.compute_queue_family >= 0;
        if (a_usable != b_usable) {
            if (a_usable) best = i;
            continue;
        }
        if (rank(a.kind) < rank(b.kind) ||
            (rank(a.kind) == rank(b.kind) && a.device_local_bytes() > b.device_local_bytes()))
            best = i;
    }
    const DeviceInfo& d = devices[best];
    std::string reason;
    switch (d.kind) {
        case DeviceKind::Discrete: reason = "discrete GPU, the fastest kind present"; break;
        case DeviceKind::Integrated: reason = "integrated GPU; no discrete GPU found"; break;
        case DeviceKind::Virtual: reason = "virtual GPU; no discrete or integrated GPU found"; break;
        case DeviceKind::Cpu: reason = "software Vulkan on the CPU; no GPU found (the CPU backend is usually faster)"; break;
        case DeviceKind::Other: reason = "the only kind of device present"; break;
    }
    const auto same_kind = std::count_if(devices.begin(), devices.end(), [&](const DeviceInfo& o) { return o.kind == d.kind; });
    if (same_kind > 1) reason += ", with the most device-local memory of its kind";
    return DeviceChoice{best, reason};
}

Result<size_t> find_device(const std::vector<DeviceInfo>& devices, std::string_view spec) {
    if (spec.empty()) return Error{"empty Vulkan device name; devices: " + device_list(devices)};
    if (std::all_of(spec.begin(), spec.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
        const unsigned long index = std::strtoul(std::string(spec).c_str(), nullptr, 10);
        for (size_t i = 0; i < devices.size(); ++i)
            if (devices[i].index == index) return i;
        return Error{"there is no Vulkan device " + std::string(spec) + "; devices: " + device_list(devices)};
    }
    const std::string needle = lower(spec);
    std::vector<size_t> matches;
    for (size_t i = 0; i < devices.size(); ++i)
        if (lower(devices[i].name).find(needle) != std::string::npos) matches.push_back(i);
    if (matches.empty())
        return Error{"no Vulkan device's name contains '" + std::string(spec) + "'; devices: " + device_list(devices)};
    if (matches.size() > 1)
        return Error{"'" + std::string(spec) + "' matches more than one Vulkan device (give its index); devices: " +
                     device_list(devices)};
    return matches[0];
}

Result<DeviceChoice> choose_device(const std::vector<DeviceInfo>& devices, std::string_view explicit_spec) {
    if (devices.empty())
        return Error{"no Vulkan device found (a GPU driver, or mesa-vulkan-drivers for lavapipe, provides one)"};
    if (!explicit_spec.empty()) {
        auto found = find_device(devices, explicit_spec);
        if (!found) return found.error();
        return DeviceChoice{*found, "chosen explicitly ('" + std::string(explicit_spec) + "')"};
    }
    if (const char* env = std::getenv("TESSERA_VK_DEVICE"); env != nullptr && *env != '\0') {
        auto found = find_device(devices, env);
        if (!found) return wrap_error("TESSERA_VK_DEVICE", found.error());
        return DeviceChoice{*found, std::string("TESSERA_VK_DEVICE=") + env};
    }
    return default_device(devices);
}

}  // namespace tessera::vulkan
