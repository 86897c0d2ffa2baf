-- SPDX-License-Identifier: GPL-3.0-or-later
-- Dovecot 2.3 push_notification Lua driver: tells the mapistore-mgmt notifier about new mail,
-- one POST /v1/newmail per mail transaction (a batch of the messages it delivered), with
-- Dovecot's own HTTP client. See docs/operations.md ("New mail") and dovecot-lua.conf here.
--
-- Settings (plugin section):
--   mapistore_mgmt_url         http://127.0.0.1:7390/v1/newmail (required)
--   mapistore_mgmt_backend     the backend the users belong to (default SOGo)
--   mapistore_mgmt_token_file  a file holding the notifier's HTTP token (optional)
-- The vuser is the Dovecot user name. A failed POST is logged; the delivery goes on.

local http_client = dovecot.http.client {
  timeout = 5000;
  max_attempts = 2;
}

-- A JSON string: quotes, backslashes and control characters escaped; UTF-8 passes as it is.
local function json_string(text)
  local escaped = text:gsub('[%c"\\]', function(c) return string.format('\\u%04x', c:byte()) end)
  return '"' .. escaped .. '"'
end

local function read_token(path)
  if path == nil or path == "" then return nil end
  local file = io.open(path, "r")
  if file == nil then return nil end
  local token = file:read("*l")
  file:close()
  return token and token:match("^%s*(.-)%s*$")
end

function dovecot_lua_notify_begin_txn(user)
  return {
    user = user,
    url = user:plugin_getenv("mapistore_mgmt_url"),
    backend = user:plugin_getenv("mapistore_mgmt_backend"),
    token = read_token(user:plugin_getenv("mapistore_mgmt_token_file")),
    events = {},
  }
end

function dovecot_lua_notify_event_message_new(ctx, event)
  local fields = {
    '"backend":' .. json_string((ctx.backend ~= nil and ctx.backend ~= "") and ctx.backend or "SOGo"),
    '"vuser":' .. json_string(ctx.user.username),
    '"folder":' .. json_string(event.mailbox),
    '"messageId":' .. string.format("%d", event.uid),
    '"uidValidity":' .. string.format("%d", event.uid_validity),
  }
  if event.from ~= nil and event.from ~= "" then table.insert(fields, '"sender":' .. json_string(event.from)) end
  if event.subject ~= nil and event.subject ~= "" then table.insert(fields, '"subject":' .. json_string(event.subject)) end
  table.insert(ctx.events, "{" .. table.concat(fields, ",") .. "}")
end

function dovecot_lua_notify_end_txn(ctx)
  if #ctx.events == 0 then return end
  if ctx.url == nil or ctx.url == "" then
    dovecot.i_error("mapistore-mgmt: set mapistore_mgmt_url in the plugin section")
    return
  end
  local request = http_client:request { url = ctx.url; method = "POST"; }
  request:add_header("content-type", "application/json")
  if ctx.token ~= nil then request:add_header("authorization", "Bearer " .. ctx.token) end
  request:set_payload("[" .. table.concat(ctx.events, ",") .. "]")
  local response = request:submit()
  local status = response:status()
  if status >= 9000 then
    -- Dovecot's own codes (connection refused, timeout): no HTTP answer came.
    dovecot.i_error("mapistore-mgmt: POST " .. ctx.url .. " failed: " .. response:reason())
  elseif status ~= 200 then
    dovecot.i_error("mapistore-mgmt: POST " .. ctx.url .. " answered " .. status .. " " .. response:reason() .. ": " .. (response:payload() or ""))
  end
end
