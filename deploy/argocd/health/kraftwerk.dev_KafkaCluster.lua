-- Argo CD health of a kraftwerk KafkaCluster, from the operator's conditions.
-- Degraded: the Degraded condition is True or Ready says something only a person can fix.
-- Progressing: the operator has not yet observed this generation, or is still converging.
local hs = { status = "Progressing", message = "Waiting for the operator" }
local terminal = { InvalidSpec = true, QuorumUnavailable = true, QuorumTooSmall = true,
  PodCrashLooping = true, StuckOnStaleSpec = true }

local function condition(t)
  if obj.status == nil or obj.status.conditions == nil then return nil end
  for _, c in ipairs(obj.status.conditions) do
    if c.type == t then return c end
  end
  return nil
end

if obj.status == nil then return hs end
local generation = obj.metadata.generation or 0
if (obj.status.observedGeneration or 0) < generation then
  hs.message = "Waiting for the operator to observe generation " .. generation
  return hs
end
local ready = condition("Ready")
local degraded = condition("Degraded")
if degraded ~= nil and degraded.status == "True" then
  hs.status = "Degraded"
  hs.message = (degraded.reason or "") .. ": " .. (degraded.message or "")
  return hs
end
if ready == nil then return hs end
hs.message = (ready.reason or "") .. ": " .. (ready.message or "")
if ready.status == "True" then
  hs.status = "Healthy"
elseif ready.status == "False" and terminal[ready.reason] then
  hs.status = "Degraded"
end
return hs
