#include "model_library.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QUrl>
#include <QtConcurrent/QtConcurrentRun>
#include <unistd.h>

#include "convert/convert.h"
#include "quant/quant_mix.h"

namespace tessera::app {
namespace {

constexpr qint64 kCopyChunk = 4 << 20;

// The .gguf files a source names: itself, or the ones directly inside a folder, by name.
QStringList gguf_files(const QString& source, QStringList& errors) {
    const QFileInfo info(source);
    if (!info.exists()) {
        errors << ModelLibrary::tr("%1 does not exist").arg(source);
        return {};
    }
    if (!info.isDir()) return {info.absoluteFilePath()};
    QStringList files;
    const QDir dir(info.absoluteFilePath());
    for (const QFileInfo& f : dir.entryInfoList({QStringLiteral("*.gguf"), QStringLiteral("*.GGUF")}, QDir::Files, QDir::Name))
        files << f.absoluteFilePath();
    if (files.isEmpty()) errors << ModelLibrary::tr("%1 holds no .gguf files").arg(source);
    return files;
}

bool inside(const QString& folder, const QString& path) {
    const QString dir = QFileInfo(folder).canonicalFilePath();
    const QString file = QFileInfo(QFileInfo(path).absolutePath()).canonicalFilePath();
    return !dir.isEmpty() && file == dir;
}

// Copies to target.part, flushes it to disk and renames it to target. Empty on success.
QString copy_file(const QString& from, const QString& target, const std::atomic<bool>& cancel,
                  const std::function<void(qint64)>& copied) {
    QFile in(from);
    if (!in.open(QIODevice::ReadOnly)) return ModelLibrary::tr("cannot read %1: %2").arg(from, in.errorString());
    const QString part = target + QStringLiteral(".part");
    QFile out(part);
    if (!out.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return ModelLibrary::tr("cannot write %1: %2").arg(part, out.errorString());
    auto fail = [&](const QString& why) {
        out.close();
        QFile::remove(part);
        return why;
    };
    QByteArray buffer;
    while (!in.atEnd()) {
        if (cancel) return fail(ModelLibrary::tr("cancelled"));
        buffer = in.read(kCopyChunk);
        if (buffer.isEmpty() && in.error() != QFileDevice::NoError)
            return fail(ModelLibrary::tr("reading %1: %2").arg(from, in.errorString()));
        if (out.write(buffer) != buffer.size())
            return fail(ModelLibrary::tr("writing %1: %2").arg(part, out.errorString()));
        copied(buffer.size());
    }
    if (!out.flush() || ::fsync(out.handle()) != 0) return fail(ModelLibrary::tr("writing %1: %2").arg(part, out.errorString()));
    out.close();
    if (out.size() != in.size()) return fail(ModelLibrary::tr("%1 changed while it was copied").arg(from));
    if (!QFile::rename(part, target)) return fail(ModelLibrary::tr("cannot rename %1 to %2").arg(part, target));
    return {};
}

// Converts a checkpoint folder into the models folder; what was written, or errors.
ImportOutcome convert_checkpoint(const QString& folder, const QString& models_folder, const QString& type_name,
                                 const std::atomic<bool>& cancel, const std::function<void(double)>& progress) {
    ImportOutcome outcome;
    const QString name = QFileInfo(folder).fileName();
    ConvertOptions options;
    if (!type_name.isEmpty()) {
        TensorType type{};
        if (auto s = parse_type_name(type_name.toStdString(), type, options.mix); !s) {
            outcome.errors << ModelLibrary::tr("%1: %2").arg(name, QString::fromStdString(s.error().message));
            return outcome;
        }
        options.type = type;
    }
    options.cancel = &cancel;
    options.progress = [&progress](const ConvertProgress& p) {
        if (p.bytes_total > 0) progress(static_cast<double>(p.bytes_done) / static_cast<double>(p.bytes_total));
    };
    if (!QDir().mkpath(models_folder)) {
        outcome.errors << ModelLibrary::tr("cannot create the models folder %1").arg(models_folder);
        return outcome;
    }
    const QString target = QDir(models_folder).filePath(
        type_name.isEmpty() ? name + QStringLiteral(".gguf") : QStringLiteral("%1-%2.gguf").arg(name, type_name.toLower()));
    if (QFileInfo::exists(target)) {
        outcome.errors << ModelLibrary::tr("%1: %2 is already in the models folder").arg(name, QFileInfo(target).fileName());
        return outcome;
    }
    const Status converted = convert_hf_checkpoint(folder.toStdString(), target.toStdString(), options);
    if (cancel) {
        outcome.cancelled = true;
        return outcome;
    }
    if (!converted) {
        outcome.errors << ModelLibrary::tr("%1: %2").arg(name, QString::fromStdString(converted.error().message));
        return outcome;
    }
    auto summary = read_model_summary(target.toStdString());
    if (!summary) {  // what we just wrote must read back; if not, it is not kept
        QFile::remove(target);
        outcome.errors << ModelLibrary::tr("%1: %2").arg(name, QString::fromStdString(summary.error().message));
        return outcome;
    }
    outcome.imported.push_back({target, std::move(summary.value())});
    return outcome;
}

}  // namespace

bool ModelLibrary::isCheckpointFolder(const QString& path_or_url) {
    const QString path = localPath(path_or_url);
    return !path.isEmpty() && QFileInfo(path).isDir() && QFileInfo::exists(QDir(path).filePath(QStringLiteral("config.json")));
}

ModelLibrary::ModelLibrary(storage::Database& db, QString models_folder, ModelCatalogModel& catalog, QObject* parent)
    : QObject(parent), catalog_store_(db), catalog_(catalog), models_folder_(std::move(models_folder)) {
    connect(&watcher_, &QFutureWatcher<ImportOutcome>::finished, this, &ModelLibrary::onImportDone);
}

ModelLibrary::~ModelLibrary() {
    if (cancel_) *cancel_ = true;
    watcher_.waitForFinished();
}

ImportOutcome ModelLibrary::run_import(const QString& source, bool copy, const QString& models_folder,
                                       const std::atomic<bool>& cancel, const std::function<void(double)>& progress,
                                       const QString& convert_type) {
    if (isCheckpointFolder(source)) return convert_checkpoint(source, models_folder, convert_type, cancel, progress);
    ImportOutcome outcome;
    const QStringList files = gguf_files(source, outcome.errors);
    // 1. Validate everything before copying anything.
    std::vector<ImportedModel> valid;
    qint64 to_copy = 0;
    for (const QString& file : files) {
        if (cancel) {
            outcome.cancelled = true;
            return outcome;
        }
        auto summary = read_model_summary(file.toStdString());
        if (!summary) {
            outcome.errors << tr("%1: %2").arg(QFileInfo(file).fileName(), QString::fromStdString(summary.error().message));
            continue;
        }
        if (copy && !inside(models_folder, file)) to_copy += static_cast<qint64>(summary->file_size);
        valid.push_back({file, std::move(summary.value())});
    }
    if (!copy) {
        outcome.imported = std::move(valid);
        return outcome;
    }
    // 2. Copy; a file already in the models folder stays where it is.
    if (!valid.empty() && !QDir().mkpath(models_folder)) {
        outcome.errors << tr("cannot create the models folder %1").arg(models_folder);
        return outcome;
    }
    qint64 done = 0;
    for (ImportedModel& m : valid) {
        if (inside(models_folder, m.path)) {
            outcome.imported.push_back(std::move(m));
            continue;
        }
        const QString name = QFileInfo(m.path).fileName();
        const QString target = QDir(models_folder).filePath(name);
        if (QFileInfo::exists(target)) {
            outcome.errors << tr("%1: a file of that name is already in the models folder (%2)").arg(name, models_folder);
            continue;
        }
        const QString error = copy_file(m.path, target, cancel, [&](qint64 n) {
            done += n;
            if (to_copy > 0) progress(static_cast<double>(done) / static_cast<double>(to_copy));
        });
        if (cancel) {
            outcome.cancelled = true;
            return outcome;
        }
        if (!error.isEmpty()) {
            outcome.errors << tr("%1: %2").arg(name, error);
            continue;
        }
        m.path = target;
        outcome.imported.push_back(std::move(m));
    }
    return outcome;
}

bool ModelLibrary::importPath(const QString& path_or_url, bool copy, const QString& convert_type) {
    if (busy()) {
        setMessages(status_text_, tr("An import is already under way."));
        return false;
    }
    const QString source = localPath(path_or_url);
    if (source.isEmpty()) {
        setMessages({}, tr("Give the path of a .gguf file or of a folder holding them."));
        return false;
    }
    cancel_ = std::make_shared<std::atomic<bool>>(false);
    progress_ = 0.0;
    emit progressChanged();
    setMessages(isCheckpointFolder(source) ? tr("Converting %1…").arg(source)
                : copy                     ? tr("Checking and copying %1…").arg(source)
                                           : tr("Checking %1…").arg(source),
                {});
    auto report = [this, last = std::make_shared<double>(0.0)](double p) {
        if (p - *last < 0.005 && p < 1.0) return;  // a few hundred updates per copy at most
        *last = p;
        QMetaObject::invokeMethod(this, [this, p] {
            progress_ = p;
            emit progressChanged();
        }, Qt::QueuedConnection);
    };
    watcher_.setFuture(QtConcurrent::run([source, copy, report, cancel = cancel_, folder = models_folder_, convert_type] {
        return run_import(source, copy, folder, *cancel, report, convert_type);
    }));
    busy_ = true;
    emit busyChanged();
    return true;
}

void ModelLibrary::cancelImport() {
    if (cancel_) *cancel_ = true;
}

void ModelLibrary::onImportDone() {
    ImportOutcome outcome = watcher_.result();
    int registered = 0;
    for (const ImportedModel& m : outcome.imported) {
        storage::ModelFile file;
        file.path = m.path.toStdString();
        file.size_bytes = static_cast<std::int64_t>(m.summary.file_size);
        file.architecture = m.summary.config.architecture;
        file.parameter_count = m.summary.parameter_count;
        file.quantization = m.summary.quantization;
        auto known = catalog_store_.find_model_by_path(file.path);
        storage::DbStatus stored;
        if (known && *known) {
            file.id = (*known)->id;
            stored = catalog_store_.update_model(file);
        } else if (known) {
            auto added = catalog_store_.add_model(file);
            if (!added) stored = storage::DbStatus{added.error()};
        } else {
            stored = storage::DbStatus{known.error()};
        }
        if (!stored) {
            outcome.errors << tr("%1: could not be added to the model list: %2")
                                  .arg(QFileInfo(m.path).fileName(), QString::fromStdString(stored.error().message));
            continue;
        }
        ++registered;
    }
    catalog_.refresh();
    QString status = outcome.cancelled ? tr("Import cancelled; nothing more was added.")
                                       : tr("%n model(s) added.", nullptr, registered);
    setMessages(status, outcome.errors.join(QLatin1Char('\n')));
    busy_ = false;
    emit busyChanged();
    emit importFinished(registered, static_cast<int>(outcome.errors.size()));
}

bool ModelLibrary::isInModelsFolder(const QString& path) const { return inside(models_folder_, path); }

QString ModelLibrary::localPath(const QString& path_or_url) {
    const QUrl url(path_or_url);
    return url.isLocalFile() ? url.toLocalFile() : path_or_url.trimmed();
}

bool ModelLibrary::removeModel(const QString& path, bool delete_file) {
    auto known = catalog_store_.find_model_by_path(path.toStdString());
    if (!known) {
        setMessages({}, tr("The model list could not be read: %1").arg(QString::fromStdString(known.error().message)));
        return false;
    }
    if (!*known) {
        setMessages({}, tr("%1 is not in the model list.").arg(path));
        return false;
    }
    if (delete_file && QFileInfo::exists(path)) {
        QFile file(path);
        if (!file.remove()) {
            setMessages({}, tr("%1 could not be deleted (%2); it stays in the list.").arg(path, file.errorString()));
            return false;
        }
    }
    if (auto s = catalog_store_.remove_model((*known)->id); !s) {
        setMessages({}, tr("%1 could not be removed from the list: %2").arg(path, QString::fromStdString(s.error().message)));
        catalog_.refresh();
        return false;
    }
    catalog_.refresh();
    setMessages(delete_file ? tr("%1 deleted.").arg(QFileInfo(path).fileName())
                            : tr("%1 removed from the list; the file stays.").arg(QFileInfo(path).fileName()),
                {});
    return true;
}

void ModelLibrary::clearMessages() { setMessages({}, {}); }

void ModelLibrary::setMessages(QString status, QString error) {
    status_text_ = std::move(status);
    error_text_ = std::move(error);
    emit statusChanged();
}

}  // namespace tessera::app
