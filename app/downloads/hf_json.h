// The Hugging Face Hub API responses the catalog reads, parsed into plain values:
//   GET {base}/api/models?search=Q&author=A   -> [{"id": "owner/name", "downloads": n, "likes": n,
//                                                  "tags": [...], "pipeline_tag": "...", ...}]
//   GET {base}/api/models/{repo}/tree/main    -> [{"type": "file", "path": "x.gguf", "size": n,
//                                                  "oid": "<git sha1>", "lfs": {"oid": "<sha256>",
//                                                  "size": n, "pointerSize": n}}, ...]
// Unknown fields are ignored; a missing or mistyped required field skips that entry; a body
// that is not a JSON array is an error.
#pragma once

#include <QByteArray>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QUrl>
#include <optional>
#include <variant>

namespace tessera::downloads {

// Models this large do not fit one machine's memory at any useful quantization (Ultra-253B:
// about 140 GiB even at 4 bits): they are flagged, pointing to the remote-server option.
inline constexpr double kMultiMachineBillions = 200.0;
inline constexpr qint64 kMultiMachineBytes = 128ll << 30;

struct HfModel {
    QString repo;  // "owner/name"
    qint64 downloads = 0, likes = 0;
    QStringList tags;
    std::optional<double> parameter_billions;  // from the name ("...-49B-..."), when it says
    bool needs_multiple_machines = false;
};

struct HfFile {
    QString repo;
    QString path;                   // inside the repository, may contain folders
    qint64 size = 0;
    std::optional<QString> sha256;  // the LFS oid: the SHA-256 of the file's bytes
    QUrl download_url;              // {base}/{repo}/resolve/main/{path}
    bool is_gguf = false;
    bool needs_multiple_machines = false;
};

std::variant<QList<HfModel>, QString> parse_model_list(const QByteArray& json);
std::variant<QList<HfFile>, QString> parse_tree(const QByteArray& json, const QString& repo, const QUrl& base);

std::optional<double> parameter_billions_from_name(const QString& repo);
bool needs_multiple_machines(std::optional<double> billions, qint64 bytes);
// "owner/name" with the characters the Hub allows; anything else (a path, "..") is refused.
bool is_valid_repo_id(const QString& repo);
QUrl resolve_url(const QUrl& base, const QString& repo, const QString& path);

}  // namespace tessera::downloads

Q_DECLARE_METATYPE(tessera::downloads::HfModel)
Q_DECLARE_METATYPE(tessera::downloads::HfFile)
