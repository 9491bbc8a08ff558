-- User commands; they work whether the server was started by require("ticklens").setup()
-- or by vim.lsp.enable("ticklens").
if vim.g.loaded_ticklens then
  return
end
vim.g.loaded_ticklens = true

vim.api.nvim_create_user_command("TicklensOrder", function()
  require("ticklens").show_order()
end, { desc = "ticklens: show the predicted output order of the current file" })

vim.api.nvim_create_user_command("TicklensTimeline", function()
  require("ticklens").show_timeline()
end, { desc = "ticklens: show the predicted run as lanes (sync, nextTick, microtasks, timers, I/O, check)" })

vim.api.nvim_create_user_command("TicklensRestart", function()
  require("ticklens").restart()
end, { desc = "ticklens: restart the language server" })

-- Inlay hints and code lenses, for a server started either way (see require("ticklens").on_attach).
vim.api.nvim_create_autocmd("LspAttach", {
  group = vim.api.nvim_create_augroup("ticklens_attach", { clear = true }),
  callback = function(args)
    local client = vim.lsp.get_client_by_id(args.data.client_id)
    if client and client.name == "ticklens" then
      require("ticklens").on_attach(client, args.buf)
    end
  end,
})
