#include "convert/output_file.h"

#include <filesystem>

namespace tessera {

Status write_gguf_output(const GgufWriter& writer, const std::string& out_path, const Status& fill_failure) {
    namespace fs = std::filesystem;
    const std::string temporary = out_path + ".converting";
    std::error_code ec;
    if (Status s = writer.write(temporary); !s) {
        fs::remove(temporary, ec);
        return s;
    }
    if (!fill_failure) {
        fs::remove(temporary, ec);
        return fill_failure;
    }
    fs::rename(temporary, out_path, ec);
    if (ec) {
        fs::remove(temporary, ec);
        return Error{"cannot move the new model to " + out_path + ": " + ec.message()};
    }
    return {};
}

GgufWriter::StopCheck stop_on_failure_or_cancel(const Status& fill_failure, const std::atomic<bool>* cancel) {
    return [&fill_failure, cancel]() -> Status {
        if (cancel && cancel->load()) return Error{"cancelled"};
        return fill_failure;
    };
}

}  // namespace tessera
