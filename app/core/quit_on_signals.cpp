#include "quit_on_signals.h"

#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <QCoreApplication>

#include "logging.h"

namespace tessera::app {
namespace {

int g_fds[2] = {-1, -1};  // [0] written by the handler, [1] read on the GUI thread
constexpr int kSignals[] = {SIGTERM, SIGINT, SIGHUP};

void on_signal(int number) {
    const unsigned char byte = static_cast<unsigned char>(number);
    [[maybe_unused]] auto n = ::write(g_fds[0], &byte, 1);  // async-signal-safe
}

}  // namespace

QuitOnSignals::QuitOnSignals(QObject* parent) : QObject(parent) {
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, g_fds) != 0) {
        qCWarning(lcChat) << "no clean quit on signals: socketpair failed";
        return;
    }
    notifier_ = std::make_unique<QSocketNotifier>(g_fds[1], QSocketNotifier::Read);
    connect(notifier_.get(), &QSocketNotifier::activated, this, &QuitOnSignals::readSignal);
    connect(this, &QuitOnSignals::signalReceived, QCoreApplication::instance(), &QCoreApplication::quit,
            Qt::QueuedConnection);
    struct sigaction action = {};
    action.sa_handler = on_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    for (int number : kSignals) sigaction(number, &action, nullptr);
}

QuitOnSignals::~QuitOnSignals() {
    if (!notifier_) return;
    for (int number : kSignals) ::signal(number, SIG_DFL);
    notifier_.reset();
    ::close(g_fds[0]);
    ::close(g_fds[1]);
    g_fds[0] = g_fds[1] = -1;
}

void QuitOnSignals::readSignal() {
    unsigned char byte = 0;
    if (::read(g_fds[1], &byte, 1) != 1) return;
    qCInfo(lcChat) << "quitting on signal" << byte;
    emit signalReceived(byte);
}

}  // namespace tessera::app
