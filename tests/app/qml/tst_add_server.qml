import QtQuick
import QtTest
import Tessera.Core
import Tessera.Ui

// The models page's Add-server form over a real controller and a loopback server answering
// /v1/models: the http rule, a wrong key said plainly, a test listing the models, saving
// (the server listed, its model in the picker's list, marked remote), editing and removing.
Item {
    id: root
    width: 1200
    height: 860

    Component { id: pageComponent; ModelsPage { anchors.fill: parent; controller: testController } }

    TestCase {
        id: testCase
        name: "AddServer"
        when: windowShown

        function init() {
            failOnWarning(/qrc:\/Tessera\//)
            verify(appReady, "the test app could not be opened")
            verify(testOpenAiUrl !== "", "the loopback OpenAI server did not start")
        }

        function type(item, text) {
            item.forceActiveFocus()
            item.selectAll()
            keySequence(StandardKey.Delete)
            for (const c of text) keyClick(c)
        }

        function remoteRows() {
            const models = testController.models
            let rows = []
            for (let i = 0; i < models.rowCount(); ++i) {
                const index = models.index(i, 0)
                if (models.data(index, Qt.UserRole + 11)) rows.push(models.data(index, Qt.UserRole + 13))
            }
            return rows
        }

        function test_addTestSaveEditRemove() {
            const page = createTemporaryObject(pageComponent, root)
            const dialog = findChild(page, "addServerDialog")
            mouseClick(findChild(page, "addServerButton"))
            tryCompare(dialog, "opened", true)
            const name = findChild(dialog, "serverNameField")
            const url = findChild(dialog, "serverUrlField")
            const key = findChild(dialog, "serverKeyField")
            const testButton = findChild(dialog, "testConnectionButton")
            const save = findChild(dialog, "saveServerButton")
            const consent = findChild(dialog, "plainHttpConsent")

            type(name, "Lab cluster")
            // Plain http to another machine: refused until the user accepts the risk.
            type(url, "http://gpu-box.example:8000")
            verify(findChild(dialog, "serverUrlProblem").visible)
            verify(findChild(dialog, "serverUrlProblem").text.indexOf("unencrypted") >= 0)
            verify(consent.visible)
            verify(!testButton.enabled)
            mouseClick(consent)
            verify(!findChild(dialog, "serverUrlProblem").visible)
            verify(testButton.enabled)
            verify(!save.enabled)  // nothing tested yet

            // This machine: no consent asked. A wrong key: the server's refusal, plainly.
            type(url, testOpenAiUrl)
            verify(!consent.visible)
            type(key, "wrong-key")
            mouseClick(testButton)
            tryCompare(testController.remoteServers, "testing", false, 30000)
            verify(findChild(dialog, "testMessage").text.indexOf("refused the API key") >= 0,
                   findChild(dialog, "testMessage").text)
            verify(!save.enabled)

            type(key, testOpenAiKey)
            mouseClick(testButton)
            tryCompare(testController.remoteServers, "testPassed", true, 30000)
            compare(findChild(dialog, "testMessage").text, "Connected: 1 model.")
            verify(findChild(dialog, "serverModelList").text.indexOf("nemotron-ultra-253b") >= 0)
            verify(save.enabled)
            mouseClick(save)
            tryCompare(dialog, "visible", false)
            compare(testController.remoteServers.errorText, "")
            const list = findChild(page, "serverList")
            tryCompare(list, "count", 1)
            compare(remoteRows(), ["nemotron-ultra-253b · Lab cluster (remote)"])
            // The models page's own list stays the local files.
            compare(findChild(page, "installedModels").count, testController.models.rowCount() - 1)

            // Edit: the form comes back filled in, the key kept rather than shown.
            const edit = findChild(list.itemAtIndex(0), "editServerButton")
            tryVerify(() => edit.width > 0 && edit.height > 0 && list.height > 0)
            waitForRendering(page)
            mouseClick(edit)
            tryCompare(dialog, "opened", true)
            compare(name.text, "Lab cluster")
            compare(key.text, "")
            verify(findChild(dialog, "forgetKey").visible)
            type(name, "Lab cluster 2")
            // Tested again with the kept key (read from the secret store).
            mouseClick(testButton)
            tryCompare(testController.remoteServers, "testPassed", true, 30000)
            mouseClick(save)
            tryCompare(dialog, "visible", false)
            compare(remoteRows(), ["nemotron-ultra-253b · Lab cluster 2 (remote)"])

            const remove = findChild(list.itemAtIndex(0), "removeServerButton")
            waitForRendering(page)
            mouseClick(remove)
            tryCompare(list, "count", 0)
            compare(remoteRows(), [])
        }
    }
}
