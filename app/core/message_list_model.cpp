#include "message_list_model.h"

#include "message_blocks.h"
#include "utf8_text.h"

namespace tessera::app {

MessageListModel::MessageListModel(QObject* parent) : QAbstractListModel(parent) {}

int MessageListModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

QVariant MessageListModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
    const MessageRow& r = rows_[static_cast<size_t>(index.row())];
    switch (role) {
        case IdRole: return QVariant::fromValue<qint64>(r.id);
        case RoleRole: return r.role;
        case AnswerRole: return r.answer;
        case ReasoningRole: return r.reasoning;
        case StateRole: return QString::fromLatin1(storage::to_string(r.state).data());
        case ErrorRole: return r.error_text;
        case SiblingIndexRole: return r.sibling_index;
        case SiblingCountRole: return r.sibling_count;
        case ModelRole: return r.model;
        case StatsRole: return stats_text(r.stats);
        case BlocksRole: return to_variant_list(split_code_blocks(r.answer));
        case ShownAnswerRole: return shown_text(r.answer);
        default: return {};
    }
}

QHash<int, QByteArray> MessageListModel::roleNames() const {
    return {{IdRole, "messageId"},         {RoleRole, "role"},
            {AnswerRole, "answer"},        {ReasoningRole, "reasoning"},
            {StateRole, "messageState"},          {ErrorRole, "errorText"},
            {SiblingIndexRole, "siblingIndex"}, {SiblingCountRole, "siblingCount"},
            {ModelRole, "modelName"},          {StatsRole, "stats"},
            {BlocksRole, "blocks"},            {ShownAnswerRole, "shownAnswer"}};
}

void MessageListModel::setRows(std::vector<MessageRow> rows) {
    splitter_ = chat::ReasoningSplitter{};
    const bool had_older = hasOlder();
    // A stored message's text never changes once complete (storage invariant 1), so a row
    // with the same id, place among its siblings and state is the same row.
    auto same = [](const MessageRow& a, const MessageRow& b) {
        return a.id == b.id && a.sibling_index == b.sibling_index && a.sibling_count == b.sibling_count &&
               a.state == b.state;
    };
    size_t keep = 0;
    while (keep < rows_.size() && keep < rows.size() && same(rows_[keep], rows[keep])) ++keep;
    const int first = static_cast<int>(keep);
    if (keep < rows_.size()) {
        beginRemoveRows({}, first, static_cast<int>(rows_.size()) - 1);
        rows_.resize(keep);
        endRemoveRows();
    }
    if (keep < rows.size()) {
        beginInsertRows({}, first, static_cast<int>(rows.size()) - 1);
        rows_.insert(rows_.end(), std::make_move_iterator(rows.begin() + static_cast<std::ptrdiff_t>(keep)),
                     std::make_move_iterator(rows.end()));
        endInsertRows();
    }
    if (hasOlder() != had_older) emit hasOlderChanged();
}

void MessageListModel::prependRows(std::vector<MessageRow> rows) {
    if (rows.empty()) return;
    const bool had_older = hasOlder();
    beginInsertRows({}, 0, static_cast<int>(rows.size()) - 1);
    rows_.insert(rows_.begin(), std::make_move_iterator(rows.begin()), std::make_move_iterator(rows.end()));
    endInsertRows();
    if (hasOlder() != had_older) emit hasOlderChanged();
}

void MessageListModel::appendToLast(const QString& piece) {
    if (rows_.empty()) return;
    chat::ReasoningText text;
    splitter_.feed(to_utf8(piece), text);
    MessageRow& last = rows_.back();
    QList<int> roles;
    if (!text.reasoning.empty()) {
        last.reasoning += QString::fromStdString(text.reasoning);
        roles << ReasoningRole;
    }
    if (!text.answer.empty()) {
        last.answer += QString::fromStdString(text.answer);
        roles << AnswerRole << BlocksRole << ShownAnswerRole;
    }
    if (!roles.isEmpty()) lastRowChanged(roles);
}

void MessageListModel::finishLast(storage::MessageState state, const storage::MessageStats& stats,
                                  const QString& error) {
    if (rows_.empty()) return;
    chat::ReasoningText text;
    splitter_.finish(text);  // text held back as a possible tag is plain text after all
    MessageRow& last = rows_.back();
    last.reasoning += QString::fromStdString(text.reasoning);
    last.answer += QString::fromStdString(text.answer);
    last.state = state;
    last.stats = stats;
    last.error_text = error;
    lastRowChanged({AnswerRole, BlocksRole, ShownAnswerRole, ReasoningRole, StateRole, StatsRole, ErrorRole});
}

void MessageListModel::lastRowChanged(const QList<int>& roles) {
    const QModelIndex i = index(static_cast<int>(rows_.size()) - 1);
    emit dataChanged(i, i, roles);
}

}  // namespace tessera::app
