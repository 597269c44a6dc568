-- Argo CD health of a kraftwerk KafkaUser, from its Ready condition.
-- Waiting for the cluster (missing, not ready, being secured), for its clients CA or for Kafka
-- to answer is Progressing; a spec only a person can fix (no listener for the user's
-- authentication, ACLs on a cluster without authorization, a reserved or taken user name, a
-- Secret of the user's name it does not own, a missing password Secret, Kafka refusing) is
-- Degraded. Stalled=True, which the operator writes for the same cases, is Degraded too, so a
-- reason added later needs no change here.
local hs = { status = "Progressing", message = "Waiting for the operator" }
local terminal = { InvalidSpec = true, NoMatchingListener = true, AuthorizationDisabled = true,
  ReservedUsername = true, UsernameConflict = true, SecretNotOwned = true,
  PasswordSecretNotFound = true, KafkaRefused = true }

if obj.status == nil then return hs end
local generation = obj.metadata.generation or 0
if (obj.status.observedGeneration or 0) < generation then
  hs.message = "Waiting for the operator to observe generation " .. generation
  return hs
end
local ready, stalled = nil, nil
for _, c in ipairs(obj.status.conditions or {}) do
  if c.type == "Ready" then ready = c end
  if c.type == "Stalled" then stalled = c end
end
if ready == nil then return hs end
hs.message = (ready.reason or "") .. ": " .. (ready.message or "")
if ready.status == "True" then
  hs.status = "Healthy"
elseif ready.status == "False" and
    (terminal[ready.reason] or (stalled ~= nil and stalled.status == "True")) then
  hs.status = "Degraded"
end
return hs
