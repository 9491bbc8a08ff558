-- User commands; they work whether the server was started by require("ticklens").setup()
-- or by vim.lsp.enable("ticklens").
if vim.g.loaded_ticklens then
  return
end
vim.g.loaded_ticklens = true

vim.api.nvim_create_user_command("TicklensOrder", function()
  require("ticklens").show_order()
end, { desc = "ticklens: show the predicted output order of the current file" })

vim.api.nvim_create_user_command("TicklensRestart", function()
  require("ticklens").restart()
end, { desc = "ticklens: restart the language server" })
