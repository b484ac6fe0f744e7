-- Loaded by Neovim from the runtimepath. Nothing starts until require("deep_review").setup{}
-- (or nvim-lspconfig's deep_review config) is called: the user decides.
if vim.g.loaded_deep_review then
  return
end
vim.g.loaded_deep_review = true
