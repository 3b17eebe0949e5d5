import QtQuick
import QtTest
import Tessera.Core
import Tessera.Ui

// The settings page over a real controller: the Vulkan devices with the default and why,
// validation as typed, engine settings applied by a confirmed reload that keeps the chat,
// theme and font size saved at once, the local API server turned on with its port, token
// (regenerated) and URL, backup and export with their result, and an accessible name on
// every control.
Item {
    id: root
    width: 1100
    height: 1500  // every section, the local server too, without scrolling: clicks land on the controls

    Component { id: pageComponent; SettingsPage { anchors.fill: parent; controller: testController } }
    Component { id: headerComponent; HeaderBar { width: root.width; controller: testController } }
    SignalSpy { id: pageSpy; signalName: "pageToggled" }

    TestCase {
        id: testCase
        name: "SettingsPage"
        when: windowShown

        function init() {
            failOnWarning(/qrc:\/Tessera\//)  // a binding loop or unknown property is a failure
            verify(appReady, "the test app could not be opened")
            testController.settings.clearError()
        }

        // The device rows move the controls below them when they arrive: tests click once
        // the list is there.
        function makePage() {
            const page = createTemporaryObject(pageComponent, root)
            tryVerify(() => !testController.devices.loading && testController.devices.rowCount() > 0, 60000,
                      testController.devices.message)
            waitForRendering(page)
            return page
        }

        function type(field, text) {
            field.forceActiveFocus()
            field.selectAll()
            keyClick(Qt.Key_Delete)
            for (const c of text) keyClick(c)
        }

        function test_devicesListedWithTheDefaultAndWhy() {
            const page = makePage()
            tryVerify(() => !testController.devices.loading && testController.devices.rowCount() > 0, 60000,
                      testController.devices.message)
            verify(testController.devices.defaultReason !== "")
            let defaults = 0
            for (let i = 0; i < testController.devices.rowCount(); ++i) {
                const item = findChild(page, "device_vulkan:" + i)
                verify(item, "no row for device " + i)
                verify(item.memory !== "")
                if (item.isDefault) {
                    ++defaults
                    verify(item.Accessible.name.indexOf(testController.devices.defaultReason) >= 0, item.Accessible.name)
                }
            }
            compare(defaults, 1)
            // Each device is a choice of the device box, after automatic, CPU and Vulkan's default.
            compare(findChild(page, "deviceBox").count, 3 + testController.devices.rowCount())
        }

        function test_badValuesAreNamedAndCannotBeApplied() {
            const page = makePage()
            const apply = findChild(page, "applyEngineButton")
            verify(!apply.enabled)  // nothing changed yet
            type(findChild(page, "threadsField"), "-3")
            const problem = findChild(page, "draftProblem")
            verify(problem.visible)
            verify(problem.text.indexOf("Threads") >= 0, problem.text)
            verify(!apply.enabled)
            mouseClick(findChild(page, "revertEngineButton"))
            verify(!problem.visible)
            compare(findChild(page, "threadsField").text, String(testController.settings.threads))
            // The note says what the layer count does: layers split between the GPU and the CPU.
            verify(findChild(page, "offloadNote").text.indexOf("the others on the CPU") >= 0)
        }

        function test_engineSettingsReloadTheModelAfterConfirmingAndKeepTheChat() {
            tryVerify(() => testController.engine.state === Engine.Ready, 60000)
            verify(testController.send("Hello"))
            tryVerify(() => !testController.generating, 60000)
            const conversation = testController.conversationId
            const rows = testController.messages.rowCount()
            const page = makePage()
            type(findChild(page, "contextField"), "64")
            mouseClick(findChild(page, "offloadLayers"))
            type(findChild(page, "layersField"), "5")
            const apply = findChild(page, "applyEngineButton")
            verify(apply.enabled)
            mouseClick(apply)
            const confirm = findChild(page, "confirmReload")
            tryVerify(() => confirm.opened)
            compare(testController.settings.contextLength, 4096)  // nothing applied before confirming
            confirm.accept()
            compare(testController.settings.contextLength, 64)
            compare(testController.settings.gpuOffload, "5")
            tryVerify(() => testController.engine.state === Engine.Ready && testController.engine.contextSize === 64, 60000)
            compare(testController.conversationId, conversation)
            compare(testController.messages.rowCount(), rows)
            verify(!apply.enabled)  // the page now shows what is applied
        }

        function test_themeAndFontSizeApplyAtOnce() {
            const page = makePage()
            const themeBox = findChild(page, "themeBox")
            themeBox.currentIndex = 2
            themeBox.activated(2)
            compare(testController.settings.theme, "dark")
            const font = findChild(page, "fontSizeBox")
            font.forceActiveFocus()
            keyClick(Qt.Key_Up)
            compare(testController.settings.fontSize, 15)
            themeBox.activated(0)
            compare(testController.settings.theme, "system")
        }

        function test_dataFolderIsForTheNextStart() {
            const page = makePage()
            const field = findChild(page, "dataFolderField")
            type(field, "relative")
            mouseClick(findChild(page, "dataFolderButton"))
            const error = findChild(page, "settingsError")
            verify(error.visible)
            verify(error.text.indexOf("not a full path") >= 0, error.text)
            const elsewhere = testController.settings.currentDataFolder + "-next"
            type(field, elsewhere)
            mouseClick(findChild(page, "dataFolderButton"))
            compare(testController.settings.dataFolder, elsewhere)
            verify(findChild(page, "dataFolderNote").text.indexOf("next start") >= 0)
        }

        function test_dataDirOnTheCommandLineIsSaidToWin() {
            const page = makePage()
            const note = findChild(page, "dataDirOptionNote")
            verify(note.text.indexOf("--data-dir") >= 0, note.text)
            verify(note.text.indexOf("This run uses") < 0, note.text)
            testController.settings.dataFolderFromCommandLine = true
            verify(note.text.indexOf("This run uses " + testController.settings.currentDataFolder) === 0, note.text)
            verify(note.text.indexOf("Started without it, the app opens " + testController.settings.dataFolder) > 0, note.text)
            testController.settings.dataFolderFromCommandLine = false
        }

        function test_localServerTurnsOnWithItsPortTokenAndUrl() {
            tryVerify(() => testController.engine.state === Engine.Ready, 60000)
            const page = makePage()
            const server = testController.localServer
            const toggle = findChild(page, "serverSwitch")
            const status = findChild(page, "serverStatus")
            const url = findChild(page, "serverUrl")
            verify(!toggle.checked)  // off by default
            compare(status.text, "Off.")
            verify(!url.parent.visible)

            const port = findChild(page, "serverPortField")
            const usePort = findChild(page, "serverPortButton")
            const problem = findChild(page, "serverPortProblem")
            type(port, "70000")
            verify(problem.visible)
            verify(problem.text.indexOf("Server port") >= 0, problem.text)
            verify(!usePort.enabled)
            type(port, "0")
            verify(!problem.visible)
            mouseClick(usePort)
            compare(testController.settings.serverPort, 0)

            mouseClick(toggle)
            verify(testController.settings.serverEnabled)
            tryVerify(() => server.running, 60000, server.errorText)
            verify(url.visible && url.parent.visible)
            compare(url.text, "http://127.0.0.1:" + server.port + "/v1")
            verify(status.text.indexOf("127.0.0.1:" + server.port) >= 0, status.text)
            compare(findChild(page, "serverError").visible, false)

            const token = findChild(page, "serverTokenField")
            verify(token.readOnly)
            compare(token.text, testController.settings.serverToken)
            const old = token.text
            mouseClick(findChild(page, "regenerateTokenButton"))
            verify(token.text !== old)
            compare(token.text.length, 64)
            compare(token.text, testController.settings.serverToken)

            mouseClick(toggle)
            verify(!testController.settings.serverEnabled)
            verify(!server.running)
            verify(!url.parent.visible)
            compare(status.text, "Off.")
        }

        function test_backupAndExportSayWhereTheFileIs() {
            const page = makePage()
            const result = findChild(page, "actionResult")
            const backup = findChild(page, "backupButton")
            verify(backup.enabled)
            mouseClick(backup)
            tryVerify(() => !testController.dataActions.busy && result.text !== "", 60000)
            verify(result.visible)
            verify(result.text.indexOf("Backed up to " + testController.dataActions.backupFolder) === 0, result.text)
            mouseClick(findChild(page, "exportButton"))
            tryVerify(() => !testController.dataActions.busy && result.text.indexOf("Exported") === 0, 60000)
            verify(result.text.indexOf(testController.dataActions.exportFolder) > 0, result.text)
        }

        function test_theHeadersSettingsButtonOpensThePage() {
            const header = createTemporaryObject(headerComponent, root)
            const button = findChild(header, "settingsButton")
            compare(button.text, "Settings")
            verify(button.Accessible.name !== "")
            pageSpy.target = header
            pageSpy.clear()
            mouseClick(button)
            compare(pageSpy.count, 1)
            compare(pageSpy.signalArguments[0][0], "settings")
            header.page = "settings"
            compare(button.text, "Back to chat")
        }

        function test_everyControlHasAnAccessibleName() {
            const page = makePage()
            for (const name of ["deviceBox", "threadsField", "offloadAuto", "offloadLayers", "layersField",
                                "contextField", "applyEngineButton", "revertEngineButton", "themeBox",
                                "fontSizeBox", "serverSwitch", "serverPortField", "serverPortButton", "serverTokenField",
                                "copyTokenButton", "regenerateTokenButton", "serverStatus", "dataFolderField",
                                "dataFolderButton", "backupButton", "exportButton"]) {
                const control = findChild(page, name)
                verify(control, name + " missing")
                verify(control.Accessible.name !== "", name + " has no accessible name")
            }
        }
    }
}
