-- Health of an ACK object for Argo CD, so sync waves wait for what the controller really created.
-- Healthy once the controller reports the AWS resource synced (ACK.ResourceSynced, or Ready on newer
-- runtimes); Degraded on a terminal error (the controller will not retry: the spec must change);
-- Progressing otherwise, with the controller's latest message.
local health = { status = "Progressing", message = "Waiting for the ACK controller" }
if obj.status == nil or obj.status.conditions == nil then
  return health
end
local synced = false
for _, condition in ipairs(obj.status.conditions) do
  if condition.type == "ACK.Terminal" and condition.status == "True" then
    return { status = "Degraded", message = condition.message or "ACK.Terminal" }
  end
  if condition.type == "ACK.ResourceSynced" or condition.type == "Ready" then
    if condition.status == "True" then
      synced = true
    elseif condition.message ~= nil then
      health.message = condition.message
    end
  end
  if condition.type == "ACK.Recoverable" and condition.status == "True" and condition.message ~= nil then
    health.message = condition.message
  end
end
if not synced then
  return health
end
-- An e-mail subscription delivers nothing until its recipient confirms, and SNS deletes it unconfirmed
-- after 3 days (the controller then recreates it and SNS mails again): alerts reach nobody meanwhile.
if obj.kind == "Subscription" and obj.status.pendingConfirmation == "true" then
  return { status = "Degraded", message = "Pending confirmation: " .. (obj.spec.endpoint or "the recipient") .. " must follow the link SNS mailed (it expires after 3 days)" }
end
return { status = "Healthy", message = "Synced with AWS" }
