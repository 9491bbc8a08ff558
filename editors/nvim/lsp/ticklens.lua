-- ticklens for Neovim 0.11+: put this plugin on the runtimepath and call
--
--   vim.lsp.enable("ticklens")
--
-- Override any field with vim.lsp.config("ticklens", { cmd = { "/path/to/ticklens", "lsp" } }).
-- For Neovim 0.9 and 0.10, use require("ticklens").setup() instead.

---@type vim.lsp.Config
return {
  cmd = { "ticklens", "lsp" },
  filetypes = { "javascript", "javascriptreact", "typescript", "typescriptreact" },
  root_markers = { "package.json", ".git" },
  -- What the server reads at start: the same shape as the VS Code extension sends. The plugin
  -- shows the inlay hints and code lenses asked for here (:help ticklens-inlay-hints).
  init_options = { inlayHints = true, codeLens = true, rules = vim.empty_dict() },
}
