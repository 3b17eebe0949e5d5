#include "app_storage.h"

#include <system_error>

#include "logging.h"
#include "storage/catalog_store.h"

namespace tessera::app {

storage::DbResult<std::unique_ptr<AppStorage>> AppStorage::open(const std::filesystem::path& data_dir) {
    storage::StorageOptions options;
    options.data_dir = data_dir;
    STORAGE_ASSIGN(auto opened, storage::open_storage(options));
    if (opened.report.interrupted_replies > 0)
        qCInfo(lcHistory) << opened.report.interrupted_replies << "replies were interrupted by the last exit";
    return std::unique_ptr<AppStorage>(new AppStorage(std::move(opened), data_dir));
}

AppStorage::AppStorage(storage::OpenedStorage opened, std::filesystem::path data_dir)
    : opened_(std::move(opened)), conversations_(opened_.db), data_dir_(std::move(data_dir)) {}

AppStorage::~AppStorage() {
    if (auto s = close(); !s) qCWarning(lcHistory) << "closing the history:" << s.error().message.c_str();
}

storage::DbStatus AppStorage::register_model(const std::string& path) {
    storage::CatalogStore catalog(opened_.db);
    STORAGE_ASSIGN(auto known, catalog.find_model_by_path(path));
    std::int64_t id = 0;
    if (known) {
        id = known->id;
    } else {
        storage::ModelFile file;
        file.path = path;
        std::error_code ec;
        file.size_bytes = static_cast<std::int64_t>(std::filesystem::file_size(path, ec));
        if (ec) file.size_bytes = 0;
        STORAGE_ASSIGN(id, catalog.add_model(file));
    }
    return catalog.mark_model_used(id);
}

storage::DbStatus AppStorage::close() {
    if (closed_) return {};
    closed_ = true;
    return storage::close_storage(opened_);
}

}  // namespace tessera::app
