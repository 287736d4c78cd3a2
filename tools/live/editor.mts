// A code cell's editor on a live page: CodeMirror 6 with TypeScript highlighting, line numbers
// (the ones errors name), undo history (Ctrl/Cmd+Z, Shift+Ctrl/Cmd+Z), bracket matching, and
// Shift+Enter to run the notebook, as in JupyterLab.
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { javascript } from "@codemirror/lang-javascript";
import { bracketMatching, defaultHighlightStyle, indentOnInput, syntaxHighlighting } from "@codemirror/language";
import { EditorState } from "@codemirror/state";
import { EditorView, highlightActiveLine, keymap, lineNumbers } from "@codemirror/view";

export interface EditorHooks {
  run: () => void; // Shift+Enter
  changed: (source: string) => void; // after every change of the text
}

// An editor holding `doc`, replacing the children of `parent`.
export function createEditor(parent: HTMLElement, doc: string, hooks: EditorHooks): EditorView {
  parent.replaceChildren();
  return new EditorView({
    parent,
    state: EditorState.create({
      doc,
      extensions: [
        lineNumbers(),
        history(),
        indentOnInput(),
        bracketMatching(),
        highlightActiveLine(),
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        javascript({ typescript: true }),
        keymap.of([
          { key: "Shift-Enter", run: () => (hooks.run(), true) },
          ...defaultKeymap, ...historyKeymap, indentWithTab,
        ]),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) hooks.changed(u.state.doc.toString());
        }),
        EditorView.theme({
          "&": { fontSize: "13.5px", backgroundColor: "var(--code-bg)", borderLeft: "3px solid #9db4dd" },
          ".cm-content": { fontFamily: 'ui-monospace,"SFMono-Regular","DejaVu Sans Mono",Menlo,Consolas,monospace' },
          ".cm-gutters": { backgroundColor: "var(--code-bg)", color: "#8c959f", border: "0" },
          "&.cm-focused": { outline: "1px solid #9db4dd" },
          ".cm-activeLine": { backgroundColor: "#eaeef2" },
        }),
      ],
    }),
  });
}

// Replaces the editor's whole text as one change, which Ctrl/Cmd+Z undoes.
export function setText(view: EditorView, source: string): void {
  view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: source } });
}

// Marks line `line` (1-based) of the editor as the one an error names, and scrolls it into view.
export function showLine(view: EditorView, line: number): void {
  const at = view.state.doc.line(Math.min(Math.max(1, line), view.state.doc.lines));
  view.dispatch({ selection: { anchor: at.from, head: at.to }, scrollIntoView: false });
}
