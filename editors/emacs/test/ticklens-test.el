;;; ticklens-test.el --- Eglot and lsp-mode against the ticklens server  -*- lexical-binding: t -*-

;; Usage (scripts/test-emacs.sh sets the environment):
;;   emacs --batch -Q -l editors/emacs/test/ticklens-test.el -f ticklens-test-run CLIENT
;; CLIENT is `eglot' or `lsp-mode'.  `ticklens' on PATH is the server; TICKLENS_EXIT_LOG
;; names the file its wrapper appends "exit status N" to when the server process ends.
;;
;; The client is configured with the lines of editors/emacs/README.md, read from it.  The test
;; opens editors/fixtures/project/promise.js, waits for ticklens's diagnostics, asks for the
;; hover on an `await' and checks its text names a resume tick without Markdown marks, applies
;; the rule's quick-fix and checks the line it leaves, shuts the server down through the client
;; and checks that no error was reported and that the server exited with status 0.  Emacs
;; exits with status 0 only when every check passed.

(require 'cl-lib)
(require 'subr-x)

(defconst ticklens-test--repo
  (expand-file-name "../../.." (file-name-directory (or load-file-name buffer-file-name))))
(defconst ticklens-test--fixture
  (expand-file-name "editors/fixtures/project/promise.js" ticklens-test--repo))
(defconst ticklens-test--readme
  (expand-file-name "editors/emacs/README.md" ticklens-test--repo))
(defconst ticklens-test--elpa "/usr/share/emacs/site-lisp/elpa"
  "Where Debian's elpa-* packages live.")

(defconst ticklens-test--hover-phrase "Resumes on microtask tick 1 after")
(defconst ticklens-test--quick-fix-title "Remove `async` from the executor (it never awaits)")
(defconst ticklens-test--rule "async-promise-executor")
(defconst ticklens-test--executor-line 11)
(defconst ticklens-test--line-before "  return new Promise(async (resolve) => {")
(defconst ticklens-test--fixed-line "  return new Promise((resolve) => {")
(defconst ticklens-test--timeout 30 "Seconds to wait for any one thing.")

(defvar ticklens-test--client-errors nil "Errors the client reported, newest first.")

(defun ticklens-test--say (format-string &rest args)
  (message "emacs-test: %s" (apply #'format format-string args)))

(defun ticklens-test--check (ok format-string &rest args)
  "Signal an error with the formatted message unless OK."
  (unless ok
    (error "%s" (apply #'format format-string args)))
  (ticklens-test--say "ok: %s" (apply #'format format-string args)))

;;; Reading the configuration from the README

(defun ticklens-test--readme-block (heading)
  "The text of the first elisp block under `## HEADING' in the README."
  (with-temp-buffer
    (insert-file-contents ticklens-test--readme)
    (goto-char (point-min))
    (unless (re-search-forward (concat "^## " (regexp-quote heading) "$") nil t)
      (error "%s has no section %s" ticklens-test--readme heading))
    (unless (re-search-forward "^```elisp\n" nil t)
      (error "%s: section %s has no elisp block" ticklens-test--readme heading))
    (let ((start (point)))
      (unless (re-search-forward "^```$" nil t)
        (error "%s: the elisp block of %s is not closed" ticklens-test--readme heading))
      (buffer-substring-no-properties start (match-beginning 0)))))

(defun ticklens-test--load-readme-config (heading)
  "Evaluate the README's configuration for HEADING, form by form."
  (let ((text (ticklens-test--readme-block heading)))
    (ticklens-test--say "loading the README's %s configuration:\n%s" heading text)
    (with-temp-buffer
      (insert text)
      (goto-char (point-min))
      (condition-case nil
          (while t
            (eval (read (current-buffer)) t))
        (end-of-file nil)))))

;;; Driving Emacs's event loop in batch mode

(defun ticklens-test--run-idle-timers ()
  "Run the idle timers once, as Emacs does when the user pauses."
  (dolist (timer (copy-sequence timer-idle-list))
    (condition-case err
        (timer-event-handler timer)
      (error (ticklens-test--say "an idle timer failed: %S" err)))))

(defun ticklens-test--wait (what predicate)
  "Return PREDICATE's first non-nil value, running the command and idle hooks meanwhile.
Fails after `ticklens-test--timeout' seconds, naming WHAT it waited for."
  (let ((deadline (+ (float-time) ticklens-test--timeout))
        value)
    (while (not (setq value (funcall predicate)))
      (when (> (float-time) deadline)
        (error "timed out after %d s waiting for %s" ticklens-test--timeout what))
      (run-hooks 'post-command-hook)
      (ticklens-test--run-idle-timers)
      (accept-process-output nil 0.05))
    value))

;;; Checks shared by both clients

(defun ticklens-test--goto-await ()
  (goto-char (point-min))
  (search-forward "await Promise.resolve")
  (goto-char (match-beginning 0)))

(defun ticklens-test--goto-executor ()
  "Point on the `async' of the executor the rule flags; returns the line's bounds."
  (goto-char (point-min))
  (forward-line (1- ticklens-test--executor-line))
  (ticklens-test--check
   (equal (buffer-substring-no-properties (line-beginning-position) (line-end-position))
          ticklens-test--line-before)
   "line %d is the flagged executor" ticklens-test--executor-line)
  (search-forward "async")
  (goto-char (match-beginning 0)))

(defun ticklens-test--check-hover (text)
  (ticklens-test--say "hover:\n%s" text)
  (ticklens-test--check (stringp text) "the hover has a text")
  (ticklens-test--check (string-match-p (regexp-quote ticklens-test--hover-phrase) text)
                        "the hover says %S" ticklens-test--hover-phrase)
  (ticklens-test--check (not (string-match-p "\\*\\*\\|`" text))
                        "the hover shows no ** and no backtick"))

(defun ticklens-test--check-fixed-line ()
  (goto-char (point-min))
  (forward-line (1- ticklens-test--executor-line))
  (let ((line (buffer-substring-no-properties (line-beginning-position) (line-end-position))))
    (ticklens-test--check (equal line ticklens-test--fixed-line)
                          "the quick-fix left %S (got %S)" ticklens-test--fixed-line line)))

(defun ticklens-test--server-exit-status ()
  "The exit status the server's wrapper logged; fails unless exactly one server ran."
  (let ((log (getenv "TICKLENS_EXIT_LOG")))
    (ticklens-test--check (and log (not (string-empty-p log))) "TICKLENS_EXIT_LOG is set")
    (ticklens-test--wait
     "the server to exit"
     (lambda ()
       (when (file-exists-p log)
         (with-temp-buffer
           (insert-file-contents log)
           (let ((lines (split-string (buffer-string) "\n" t)))
             (ticklens-test--check (= (length lines) 1) "one server ran: %S" lines)
             (and (string-match "\\`exit status \\([0-9]+\\)\\'" (car lines))
                  (string-to-number (match-string 1 (car lines)))))))))))

(defun ticklens-test--check-shutdown ()
  (let ((status (ticklens-test--server-exit-status)))
    (ticklens-test--say "the server exited with status %d" status)
    (ticklens-test--check (= status 0) "the server exited with status 0 after shutdown and exit")))

;;; Eglot

(defun ticklens-test--eglot ()
  (ticklens-test--load-readme-config "Eglot")
  ;; Eglot asks for Markdown hovers when markdown-mode is there; without it, plain text.
  (ticklens-test--check (not (fboundp 'gfm-view-mode))
                        "markdown-mode is absent, so Eglot asks for plain-text hovers")
  (let ((buffer (find-file-noselect ticklens-test--fixture)))
    (switch-to-buffer buffer)
    (ticklens-test--check (derived-mode-p 'js-mode) "the fixture opens in js-mode")
    (let ((server (ticklens-test--wait "Eglot to connect"
                                       (lambda () (and (eglot-managed-p) (eglot-current-server))))))
      (ticklens-test--say "connected: %s" (jsonrpc-name server))
      (let ((diagnostics
             (ticklens-test--wait
              "Flymake to show ticklens's diagnostics"
              (lambda () (flymake-diagnostics)))))
        (dolist (d diagnostics)
          (ticklens-test--say "diagnostic on line %d: %s"
                              (line-number-at-pos (flymake-diagnostic-beg d))
                              (flymake-diagnostic-text d)))
        (ticklens-test--check
         (cl-some (lambda (d) (= (line-number-at-pos (flymake-diagnostic-beg d))
                                 ticklens-test--executor-line))
                  diagnostics)
         "Flymake shows a diagnostic on line %d" ticklens-test--executor-line))
      ;; The hover, as Eldoc asks for it.
      (ticklens-test--goto-await)
      (let (info)
        (eglot-hover-eldoc-function (lambda (text &rest _) (setq info (or text 'none))))
        (ticklens-test--wait "the hover" (lambda () info))
        (ticklens-test--check-hover info))
      ;; The quick-fix, as M-x eglot-code-actions offers it.
      (ticklens-test--goto-executor)
      (let* ((actions (eglot-code-actions (point) (+ (point) 5) "quickfix"))
             (action (cl-find ticklens-test--quick-fix-title actions
                              :key (lambda (a) (plist-get a :title)) :test #'equal)))
        (ticklens-test--check action "a quick-fix titled %S among %S"
                              ticklens-test--quick-fix-title
                              (mapcar (lambda (a) (plist-get a :title)) actions))
        (eglot--read-execute-code-action (list action) server "quickfix"))
      (ticklens-test--check-fixed-line)
      ;; Shut down as M-x eglot-shutdown does, keeping the events buffer to read.
      (condition-case err
          (eglot-shutdown server nil nil t)
        (error (error "eglot-shutdown failed: %S" err)))
      (with-current-buffer (jsonrpc-events-buffer server)
        (goto-char (point-min))
        (ticklens-test--check (not (re-search-forward ":error (:code" nil t))
                              "the server answered no request with an error"))
      (set-buffer-modified-p nil)
      (ticklens-test--check-shutdown))))

;;; lsp-mode

(defun ticklens-test--visible (string)
  "STRING without its invisible characters (the Markdown marks lsp-mode hides)."
  (let ((visible "") (i 0))
    (while (< i (length string))
      (let ((next (next-single-property-change i 'invisible string (length string))))
        (unless (get-text-property i 'invisible string)
          (setq visible (concat visible (substring-no-properties string i next))))
        (setq i next)))
    visible))

(defun ticklens-test--lsp-mode ()
  ;; Test-only settings: lsp-mode's state file in the scratch folder, no prompt for the
  ;; project root, none of the UI extras that need a display.
  (setq lsp-session-file (expand-file-name "lsp-state" user-emacs-directory)
        lsp-auto-guess-root t
        lsp-restart 'ignore
        lsp-keep-workspace-alive nil
        lsp-enable-file-watchers nil
        lsp-headerline-breadcrumb-enable nil
        lsp-modeline-code-actions-enable nil
        lsp-modeline-diagnostics-enable nil
        lsp-modeline-workspace-status-enable nil
        lsp-log-io t)
  (ticklens-test--load-readme-config "lsp-mode")
  (advice-add 'lsp--error :before
              (lambda (format-string &rest args)
                (push (apply #'format format-string args) ticklens-test--client-errors)))
  (let ((buffer (find-file-noselect ticklens-test--fixture)))
    (switch-to-buffer buffer)
    (ticklens-test--check (derived-mode-p 'js-mode) "the fixture opens in js-mode")
    (let ((workspace (ticklens-test--wait
                      "lsp-mode to connect"
                      (lambda () (cl-find-if (lambda (w) (eq (lsp--workspace-status w) 'initialized))
                                             (lsp-workspaces))))))
      (ticklens-test--say "connected: %s" (lsp--workspace-print workspace))
      (let ((diagnostics (ticklens-test--wait "lsp-mode's diagnostics"
                                              #'lsp--get-buffer-diagnostics)))
        (dolist (d diagnostics)
          (ticklens-test--say "diagnostic on line %d: %s"
                              (1+ (gethash "line" (gethash "start" (gethash "range" d))))
                              (gethash "message" d)))
        (ticklens-test--check
         (cl-some (lambda (d) (equal (gethash "code" d) ticklens-test--rule)) diagnostics)
         "lsp-mode has the %s diagnostic" ticklens-test--rule))
      ;; The hover, rendered as lsp-mode renders it (`lsp-describe-thing-at-point').
      (ticklens-test--goto-await)
      (let* ((hover (lsp-request "textDocument/hover" (lsp--text-document-position-params)))
             (contents (gethash "contents" hover)))
        ;; lsp-mode reads Markdown: the default stays Markdown.
        (ticklens-test--check (equal (gethash "kind" contents) "markdown")
                              "lsp-mode, which prefers Markdown, gets a Markdown hover")
        (ticklens-test--check-hover
         (ticklens-test--visible (lsp--render-on-hover-content contents t))))
      ;; The quick-fix, as M-x lsp-execute-code-action applies it.
      (ticklens-test--goto-executor)
      (let* ((actions (lsp-code-actions-at-point "quickfix"))
             (action (cl-find ticklens-test--quick-fix-title actions
                              :key (lambda (a) (gethash "title" a)) :test #'equal)))
        (ticklens-test--check action "a quick-fix titled %S among %S"
                              ticklens-test--quick-fix-title
                              (mapcar (lambda (a) (gethash "title" a)) actions))
        (lsp-execute-code-action action))
      (ticklens-test--check-fixed-line)
      (lsp-workspace-shutdown workspace)
      ;; lsp-mode forgets the workspace when its process sentinel has run.
      (ticklens-test--wait "lsp-mode to see the server exit"
                           (lambda () (not (memq workspace (lsp--session-workspaces (lsp-session))))))
      ;; After the server exited, lsp-mode's sentinel closes the buffer and tries to tell the
      ;; ended process (`didClose'): that error is lsp-mode's own. Any other one (an error
      ;; answer, "Timeout while sending shutdown request") fails the test.
      (let ((errors (cl-remove-if (lambda (e) (string-match-p "Sending to process failed.*not running" e))
                                  ticklens-test--client-errors)))
        (ticklens-test--check (null errors) "lsp-mode reported no error (got %S)" errors))
      (set-buffer-modified-p nil)
      (ticklens-test--check-shutdown))))

;;; Entry point

(defun ticklens-test--use-debian-packages (client)
  "Put Debian's elpa packages on `load-path'; for Eglot, all but markdown-mode."
  (dolist (dir (directory-files ticklens-test--elpa t "\\`[^.]"))
    (when (and (file-directory-p dir)
               (not (and (eq client 'eglot)
                         (string-match-p "/markdown-mode-[^/]*\\'" dir))))
      (push dir load-path))))

(defun ticklens-test-run ()
  "Run the test for the client named by the first command-line argument; exit 0 when it passed."
  (let* ((client (intern (or (pop command-line-args-left) "")))
         (scratch (make-temp-file "ticklens-emacs-" t))
         (user-emacs-directory (file-name-as-directory scratch))
         (status 1))
    (unwind-protect
        (condition-case err
            (progn
              (ticklens-test--check (memq client '(eglot lsp-mode))
                                    "the client %s is eglot or lsp-mode" client)
              (ticklens-test--say "Emacs %s, client %s, server %s" emacs-version client
                                  (executable-find "ticklens"))
              (ticklens-test--check (executable-find "ticklens") "ticklens is on PATH")
              (ticklens-test--use-debian-packages client)
              (pcase client
                ('eglot (ticklens-test--eglot))
                ('lsp-mode (ticklens-test--lsp-mode)))
              (setq status 0)
              (ticklens-test--say "%s: passed" client))
          (error (ticklens-test--say "%s: FAILED: %s" client (error-message-string err))))
      (delete-directory scratch t))
    (kill-emacs status)))

;;; ticklens-test.el ends here
