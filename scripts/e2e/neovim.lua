-- Driven by scripts/e2e-neovim.sh: headless Neovim starts `forklint server` through its own LSP
-- client, opens $E2E_FILE, waits for vim.diagnostic.get() to hold forklint's findings, compares
-- them with $E2E_EXPECTED ("line:byte-col:code:message" per line, as `forklint check` reports
-- them), then deletes line $E2E_DELETE_LINE without saving and waits for its findings to go.
-- Writes PASS or FAIL lines to $E2E_RESULT and quits.
local out = {}
local function say(line) table.insert(out, line) end
local function finish()
  local f = io.open(os.getenv("E2E_RESULT"), "w")
  f:write(table.concat(out, "\n") .. "\n")
  f:close()
  vim.cmd("qa!")
end

local ok, err = pcall(function()
  local file = os.getenv("E2E_FILE")
  local expected = {}
  for line in io.lines(os.getenv("E2E_EXPECTED")) do table.insert(expected, line) end
  vim.cmd("edit " .. vim.fn.fnameescape(file))
  local buf = vim.api.nvim_get_current_buf()
  local config = {
    name = "forklint",
    cmd = { os.getenv("FORKLINT"), "server" },
    root_dir = os.getenv("E2E_ROOT"),
  }
  if vim.lsp.start then
    vim.lsp.start(config, { bufnr = buf })
  else
    -- Neovim before 0.8 (Debian 12 ships 0.7): start the client and attach the buffer.
    local id = vim.lsp.start_client(config)
    vim.lsp.buf_attach_client(buf, id)
  end
  local function seen()
    local got = {}
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code) or ""
      table.insert(got, string.format("%d:%d:%s:%s", d.lnum + 1, d.col, code, d.message))
    end
    table.sort(got)
    return got
  end
  local arrived = vim.wait(60000, function() return #seen() >= #expected end, 50)
  local got = seen()
  if not arrived then
    say("FAIL: " .. #got .. " diagnostics after 60 s, expected " .. #expected)
  end
  local same = #got == #expected
  for i = 1, math.max(#got, #expected) do
    if got[i] ~= expected[i] then same = false end
  end
  if same then
    say("PASS: " .. #got .. " forklint diagnostics, positions and messages as `forklint check`")
  else
    say("FAIL: diagnostics differ from `forklint check`")
    for _, l in ipairs(expected) do say("  expected " .. l) end
    for _, l in ipairs(got) do say("  got      " .. l) end
  end
  -- An unsaved edit: the findings on the deleted line go away.
  local line = tonumber(os.getenv("E2E_DELETE_LINE"))
  local left = 0
  for _, l in ipairs(expected) do
    if not vim.startswith(l, line .. ":") then left = left + 1 end
  end
  vim.api.nvim_buf_set_lines(buf, line - 1, line, false, {})
  local gone = vim.wait(60000, function() return #seen() == left end, 50)
  if gone then
    say("PASS: after deleting line " .. line .. " (unsaved), " .. left .. " diagnostics")
  else
    say("FAIL: after deleting line " .. line .. ", " .. #seen() .. " diagnostics, expected " .. left)
  end
end)
if not ok then say("FAIL: " .. tostring(err)) end
finish()
