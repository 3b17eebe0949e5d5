// The sidebar's sections by date (local time), pinned first.
#include <QtTest>

#include "conversation_groups.h"

using tessera::app::conversation_group;

class ConversationGroupsTest : public QObject {
    Q_OBJECT

private slots:
    void groups_data() {
        QTest::addColumn<bool>("pinned");
        QTest::addColumn<QDateTime>("updated");
        QTest::addColumn<QString>("group");
        const QDate day(2026, 3, 10);
        QTest::newRow("pinned, old") << true << QDateTime(day.addDays(-400), QTime(9, 0)) << "Pinned";
        QTest::newRow("this morning") << false << QDateTime(day, QTime(0, 5)) << "Today";
        QTest::newRow("late last night") << false << QDateTime(day.addDays(-1), QTime(23, 59)) << "Yesterday";
        QTest::newRow("six days ago") << false << QDateTime(day.addDays(-6), QTime(12, 0)) << "Previous 7 days";
        QTest::newRow("a week ago") << false << QDateTime(day.addDays(-7), QTime(12, 0)) << "Older";
        QTest::newRow("clock moved back") << false << QDateTime(day.addDays(1), QTime(8, 0)) << "Today";
    }
    void groups() {
        QFETCH(bool, pinned);
        QFETCH(QDateTime, updated);
        QFETCH(QString, group);
        const QDateTime now(QDate(2026, 3, 10), QTime(18, 30));
        QCOMPARE(conversation_group(pinned, updated, now), group);
    }
};

QTEST_GUILESS_MAIN(ConversationGroupsTest)
#include "conversation_groups_test.moc"
