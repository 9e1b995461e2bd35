-- ttlock_bridge: a LogicMachine user library that calls the ttlock-bridge REST API.
--
-- For sites that prefer scripts to the bridge's KNX channel. It issues a room's guest code from
-- the forum's group-address block, and opens a door. The API token lives in this library (or a
-- file), never in an object, so nobody with visualisation access can read it.
--
-- Install: Scripting -> User libraries -> Add new library, name it `ttlock_bridge`, paste this
-- file, and fill in `settings` below. Then, in an event script on a room's trigger (base +0):
--
--     require('user.ttlock_bridge').on_trigger('room-12', '1/1/0')
--
-- and, only if you want KNX to open doors (plain KNX has no authentication), in an event script
-- on an unlock object:
--
--     if event.getvalue() then require('user.ttlock_bridge').unlock('room-12') end
--
-- Block layout (forum defaults, see docs/logicmachine.md): +0 trigger, +1 code, +2 name,
-- +3/+4 from date/time, +5/+6 to date/time, +8 grant id, +9 status. Status words are those of
-- the KNX channel where the REST answer says enough; bad input the bridge refuses is `ERR INPUT`.
-- Where a door takes a code of its own (an offline code), +1 holds the room door's code and +2
-- that door's, e.g. `MAIN 4830215`, as the KNX channel writes them (docs/logicmachine.md).

local http = require('socket.http')
local ltn12 = require('ltn12')
local has_json, json = pcall(require, 'json') -- LogicMachine
if not has_json then
  json = require('cjson') -- plain Lua 5.1 (Debian lua-cjson)
end

local M = {}

local settings = {
  url = 'http://192.168.1.20:8080', -- the bridge, as LogicMachine reaches it
  token = nil, -- BRIDGE_API_TOKEN; or leave nil and set token_file
  token_file = nil, -- e.g. '/home/ftp/ttlock_bridge.token' (one line)
  timeout = 10, -- seconds; event scripts should not hang
}

local OFFSETS = {
  code = 1, name = 2, from_date = 3, from_time = 4, to_date = 5, to_time = 6,
  grant_id = 8, status = 9,
}

--- Change settings from a script: configure{ url = '...', token_file = '...' }.
function M.configure(changes)
  for key, value in pairs(changes) do
    settings[key] = value
  end
end

local function token()
  if settings.token then
    return settings.token
  end
  local file = settings.token_file and io.open(settings.token_file, 'r')
  if not file then
    return nil
  end
  local text = file:read('*l')
  file:close()
  return text
end

-- One JSON request; returns the HTTP status and the decoded body (or nil).
local function request(method, path, body)
  local sent = body and json.encode(body) or ''
  local chunks = {}
  local bearer = token()
  if not bearer then
    return nil, 'no API token: set token or token_file in the ttlock_bridge library'
  end
  http.TIMEOUT = settings.timeout
  local ok, status = http.request({
    url = settings.url .. path,
    method = method,
    headers = {
      ['Authorization'] = 'Bearer ' .. bearer,
      ['Content-Type'] = 'application/json',
      ['Content-Length'] = tostring(#sent),
    },
    source = ltn12.source.string(sent),
    sink = ltn12.sink.table(chunks),
  })
  if not ok then
    return nil, 'bridge unreachable: ' .. tostring(status)
  end
  local text = table.concat(chunks)
  local decoded = nil
  if text ~= '' then
    local parsed, value = pcall(json.decode, text)
    if parsed then
      decoded = value
    end
  end
  return status, decoded
end

-- '1/1/0' + 9 -> '1/1/9'
local function address(base, offset)
  local main, middle, sub = string.match(base, '^(%d+)/(%d+)/(%d+)$')
  return main .. '/' .. middle .. '/' .. (tonumber(sub) + offset)
end

local function iso_date(value)
  if type(value) ~= 'table' or not value.year then
    return nil
  end
  return string.format('%04d-%02d-%02d', value.year, value.month, value.day)
end

local function iso_moment(day, clock)
  local text = iso_date(day)
  if text and type(clock) == 'table' and clock.hour then
    text = text .. string.format('T%02d:%02d', clock.hour, clock.minute or 0)
  end
  return text
end

-- '2026-11-23 15:00' -> '2311'
local function day_month(moment)
  return string.sub(moment, 9, 10) .. string.sub(moment, 6, 7)
end

local function panel_name(room, grant)
  local number = string.match(room, '(%d+)$')
  local days = day_month(grant.start) .. '-' .. day_month(grant['end'])
  local label = number and ('R' .. number) or room
  return string.sub(label, 1, 14 - #days - 1) .. ' ' .. days
end

-- 'main-entrance', '4830215' -> 'MAIN 4830215': the door name's first word, as much of it as
-- fits beside the code in 14 characters ('PENDING' while its offline code is not issued yet).
local function panel_other_code(door, code)
  local shown = code ~= '' and code or 'PENDING'
  local label = string.upper(string.match(door, '^[^%-_]*'))
  label = string.sub(label, 1, math.max(14 - #shown - 1, 0))
  if label == '' then
    return shown
  end
  return label .. ' ' .. shown
end

-- What +2 shows: the stay's name, or where the doors take different codes the first door
-- whose code is not +1's, with its code.
local function panel_text(room, grant)
  if grant.codes_differ then
    for _, door in ipairs(grant.doors) do
      if door.code ~= grant.code then
        return panel_other_code(door.door, door.code)
      end
    end
  end
  return panel_name(room, grant)
end

local OK_WORDS = { next_stay = 'OK NEXT STAY', changed = 'OK CHANGED' }

local function status_of_grant(grant, outcome)
  local active, failed = 0, false
  for _, door in ipairs(grant.doors) do
    if door.status == 'active' then
      active = active + 1
    elseif door.status == 'failed' then
      failed = true
    end
  end
  local total = #grant.doors
  if failed then
    return 'ERR CLOUD'
  elseif active < total then
    return 'PENDING ' .. active .. '/' .. total
  elseif OK_WORDS[outcome] then
    return OK_WORDS[outcome]
  elseif total == 1 then
    return 'OK 1 DOOR'
  end
  return 'OK ' .. total .. ' DOORS'
end

local ERROR_WORDS = {
  invalid_input = 'ERR INPUT',
  conflict = 'ERR CLASH',
  cloud_unavailable = 'ERR AUTH',
  cloud_failed = 'ERR CLOUD',
  passcode_refused = 'ERR CODE',
}

local function status_of_error(status, body)
  if status == nil then
    return 'ERR BRIDGE'
  end
  return ERROR_WORDS[type(body) == 'table' and body.error or ''] or 'ERR BRIDGE'
end

--- Issue the room's stay from its block, write the result back. The bridge decides by the dates:
-- a window overlapping the room's current stay changes it (OK CHANGED), any other window is the
-- next guest's stay, a new grant (OK NEXT STAY). Returns the status word written to +9.
function M.issue_for_room(room, base)
  local function value(name)
    return grp.getvalue(address(base, OFFSETS[name]))
  end
  local function show(name, shown, datatype)
    grp.write(address(base, OFFSETS[name]), shown, datatype)
  end
  show('status', 'BUSY', dt.string)
  local start = iso_moment(value('from_date'), value('from_time'))
  local finish = iso_moment(value('to_date'), value('to_time'))
  if not start or not finish then
    show('status', 'ERR NO DATES', dt.string)
    return 'ERR NO DATES'
  end
  if finish <= start then
    show('status', 'ERR DATES', dt.string)
    return 'ERR DATES'
  end
  local code = value('code')
  if type(code) ~= 'string' or string.match(code, '^%s*$') then
    code = nil
  end

  local status, body = request('POST', '/api/v1/rooms/' .. room .. '/stays',
                               { start = start, ['end'] = finish, code = code })
  if status ~= 200 and status ~= 201 then
    local word = status_of_error(status, body)
    log('ttlock_bridge: ' .. room .. ' refused: ' .. word)
    show('status', word, dt.string)
    return word
  end
  local grant = body.grant
  local word = status_of_grant(grant, body.outcome)
  show('code', grant.code, dt.string)
  show('name', panel_text(room, grant), dt.string)
  show('grant_id', grant.id, dt.uint32)
  show('status', word, dt.string)
  log('ttlock_bridge: ' .. room .. ' grant ' .. grant.id .. ': ' .. word)
  return word
end

--- Event script entry for a room's trigger: 1 issues the grant; 0 clears the code (+1) so the
-- bridge generates a fresh one on the next 1.
function M.on_trigger(room, base)
  if event.getvalue() then
    return M.issue_for_room(room, base)
  end
  grp.write(address(base, OFFSETS.code), '', dt.string)
  return nil
end

--- Open a door now (name like 'room-12' or its lockId). Returns true, or nil and a reason.
function M.unlock(door)
  local status, body = request('POST', '/api/v1/locks/' .. door .. '/unlock')
  if status == 200 then
    log('ttlock_bridge: unlocked ' .. door)
    return true
  end
  local reason = type(body) == 'table' and body.detail or tostring(body)
  log('ttlock_bridge: unlock ' .. door .. ' failed: ' .. tostring(reason))
  return nil, reason
end

return M
