import { ServiceBusClient } from "@azure/service-bus";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServiceBusBroker, type ServiceBusBroker } from "../../local/servicebus/broker";
import { ClaimKeys } from "../../shared/delivery";
import { eventually, type HostUnderTest } from "../host/run-host";
import { uniqueOrganization } from "../support/data-service";
import { startTestHttpServer, type RecordedRequest, type TestHttpServer } from "../support/delivery";
import { brokerConfigWithUnreadQueue, registerQueueStep, startProjectHost, webApi } from "../support/system-jobs";

const organization = uniqueOrganization("posted");
const UNREAD_QUEUE = "posted-contexts";
const USER_AGENT = "Contoso.Sync/2.1 (DataverseSvcClient:1.1.0.11)";

interface Kvp {
  key: string;
  value: unknown;
}
interface PostedEntity {
  Attributes: Kvp[];
  FormattedValues: Kvp[];
}
type Posted = Record<string, unknown> & { InputParameters: Kvp[]; PostEntityImages: Kvp[]; ParentContext: { InputParameters: Kvp[] } };

const parameter = (parameters: Kvp[], key: string) => parameters.find((entry) => entry.key === key)?.value;
const keys = (entity: PostedEntity) => entity.Attributes.map((entry) => entry.key);
const attribute = (entity: PostedEntity, key: string) => parameter(entity.Attributes, key) as Record<string, unknown> | undefined;
const formatted = (entity: PostedEntity) => Object.fromEntries(entity.FormattedValues.map((entry) => [entry.key, entry.value]));

/**
 * What listeners receive from the local host, against Dataverse's captured payloads
 * (shared/fixtures/dataverse): the post-operation Target with the columns the main operation set, images with
 * lookup names and FormattedValues, and the caller's User-Agent as InitiatingUserAgent.
 */
describe("posted execution contexts, compared with Dataverse's", () => {
  let broker: ServiceBusBroker;
  let host: HostUnderTest;
  let hook: TestHttpServer;
  const api = webApi(() => host, organization);
  /** The Web API as a client that names itself. */
  const namedApi = webApi(() => host, organization, { "User-Agent": USER_AGENT });
  const call = async (method: string, path: string, body: unknown) => {
    const response = await namedApi(method, path, body);
    expect(response.status, JSON.stringify(response.json)).toBeLessThan(300);
    return (response.json ?? {}) as Record<string, string>;
  };
  const postsOf = (table: string, message: string): Posted[] =>
    hook.requests
      .filter((request: RecordedRequest) => request.headers["x-ms-dynamics-entity-name"] === table && request.headers["x-ms-dynamics-request-name"] === message)
      .map((request) => JSON.parse(request.body) as Posted);
  const webhookStep = (table: string, message: string, mode: number) =>
    registerQueueStep(api, "", { table, message, mode, endpoint: { name: `${message} of ${table}`, contract: 8, authtype: 4, authvalue: "k", url: hook.url } });

  beforeAll(async () => {
    broker = await startServiceBusBroker({ config: brokerConfigWithUnreadQueue(UNREAD_QUEUE) });
    host = await startProjectHost(organization, broker.connectionString);
    hook = await startTestHttpServer();
  }, 60_000);
  afterAll(async () => {
    await host?.stop();
    await hook?.close();
    await broker?.stop();
  });

  it("gives stage 40 of an Update the Target Dataverse does: the request's columns, the key, modifiedon and modifiedby; ParentContext the request's", async () => {
    const account = await call("POST", "accounts", { name: "Telephone Ltd" });
    await webhookStep("account", "Update", 0);
    await call("PATCH", `accounts(${account.accountid})`, { telephone1: "1111" });
    const [posted] = postsOf("account", "Update");
    const target = parameter(posted.InputParameters, "Target") as PostedEntity;
    // sync-postoperation-update-account.json: telephone1, accountid, modifiedon, modifiedby, modifiedonbehalfby (null).
    expect(keys(target)).toEqual(["telephone1", "accountid", "modifiedon", "modifiedby", "modifiedonbehalfby"]);
    expect(parameter(target.Attributes, "modifiedonbehalfby")).toBeNull();
    expect(attribute(target, "modifiedby")).toMatchObject({ LogicalName: "systemuser", Id: posted.UserId, Name: null });
    expect(String(parameter(target.Attributes, "modifiedon"))).toMatch(/^\/Date\(\d+\)\/$/);
    expect(target.FormattedValues).toEqual([]);
    expect(keys(parameter(posted.ParentContext.InputParameters, "Target") as PostedEntity)).toEqual(["telephone1", "accountid"]);
    expect(posted.InitiatingUserAgent).toBe(USER_AGENT);
  });

  /** An asynchronous webhook step on contact Create with a post image, and the context its job posted for a new contact. */
  let createdContact: Promise<{ posted: Posted; contact: Record<string, string>; parent: Record<string, string> }> | undefined;
  const contactCreated = () =>
    (createdContact ??= (async () => {
      const stepId = await webhookStep("contact", "Create", 1);
      const image = await api("POST", "sdkmessageprocessingstepimages", {
        name: "PostImage",
        entityalias: "PostImage",
        imagetype: 1,
        messagepropertyname: "Target",
        attributes: "lastname,ownerid,owningbusinessunit,parentcustomerid,statecode,statuscode",
        "sdkmessageprocessingstepid@odata.bind": `/sdkmessageprocessingsteps(${stepId})`,
      });
      expect(image.status, JSON.stringify(image.json)).toBe(201);
      const parent = await call("POST", "accounts", { name: "Parent Ltd" });
      const contact = await call("POST", "contacts", { lastname: "Glynn", "parentcustomerid_account@odata.bind": `/accounts(${parent.accountid})` });
      const [posted] = await eventually(() => postsOf("contact", "Create").length > 0 && postsOf("contact", "Create"), 30_000, "the job's post");
      return { posted, contact, parent };
    })());

  it("gives an asynchronous Create step the created Target: the request's columns, the key, defaults and system columns, with FormattedValues", async () => {
    const { posted, contact } = await contactCreated();
    const target = parameter(posted.InputParameters, "Target") as PostedEntity;
    expect(keys(target)).toEqual(["lastname", "parentcustomerid", "contactid", "fullname", "statecode", "statuscode", "owningbusinessunit", "modifiedonbehalfby", "createdby", "ownerid", "modifiedon", "modifiedby", "createdon"]);
    expect(parameter(target.Attributes, "contactid")).toBe(contact.contactid);
    expect(attribute(target, "ownerid")).toMatchObject({ LogicalName: "systemuser", Id: posted.UserId, Name: null });
    expect(attribute(target, "statecode")).toMatchObject({ Value: 0 });
    // async-create-with-queryexpression-parent.json: option labels and dates (ISO with offset), no lookup names in Target.
    const createdOn = new Date(contact.createdon).toISOString().slice(0, 19);
    expect(target.FormattedValues).toEqual([
      { key: "statecode", value: "Active" },
      { key: "statuscode", value: "Active" },
      { key: "modifiedon", value: `${createdOn}+00:00` },
      { key: "createdon", value: `${createdOn}+00:00` },
    ]);
    expect(keys(parameter(posted.ParentContext.InputParameters, "Target") as PostedEntity)).toEqual(["lastname", "parentcustomerid"]);
  });

  it("gives the post image lookup names (users and business units from the cache, other rows read) and FormattedValues", async () => {
    const { posted, parent } = await contactCreated();
    const user = (await api("GET", `systemusers(${posted.UserId})?$select=fullname,_businessunitid_value`)).json;
    const unit = (await api("GET", `businessunits(${user._businessunitid_value})?$select=name`)).json;
    const postImage = parameter(posted.PostEntityImages, "PostImage") as PostedEntity;
    expect(attribute(postImage, "ownerid")).toMatchObject({ Id: posted.UserId, Name: user.fullname });
    expect(attribute(postImage, "owningbusinessunit")).toMatchObject({ Name: unit.name });
    expect(attribute(postImage, "parentcustomerid")).toMatchObject({ Id: parent.accountid, Name: "Parent Ltd" });
    expect(formatted(postImage)).toEqual({ ownerid: user.fullname, owningbusinessunit: unit.name, parentcustomerid: "Parent Ltd", statecode: "Active", statuscode: "Active" });
    expect((parameter(posted.PostEntityImages, "AsynchronousStepPrimaryName") as PostedEntity).FormattedValues).toEqual([]);
  });

  it("sends the caller's User-Agent as InitiatingUserAgent, in the context and (userclaim 3) as the …/Claims/InitiatingUserAgent property, from a system job", async () => {
    await registerQueueStep(api, broker.connectionString, { table: "account", endpoint: { name: "user info", path: UNREAD_QUEUE, userclaim: 3 } });
    const account = await call("POST", "accounts", { name: "Agent Ltd" });
    const client = new ServiceBusClient(broker.connectionString);
    try {
      const receiver = client.createReceiver(UNREAD_QUEUE, { receiveMode: "receiveAndDelete", skipParsingBodyAsJson: true });
      const [message] = await eventually(async () => {
        const messages = await receiver.receiveMessages(1, { maxWaitTimeInMs: 1_000 });
        return messages.length > 0 && messages;
      }, 30_000, "the queue message");
      const body = JSON.parse(Buffer.from(message.body as Uint8Array).toString("utf8")) as Posted;
      expect(body.PrimaryEntityId).toBe(account.accountid);
      expect(body.InitiatingUserAgent).toBe(USER_AGENT);
      expect(message.applicationProperties?.[ClaimKeys.initiatingUserAgent]).toBe(USER_AGENT);
      expect(message.applicationProperties?.[ClaimKeys.initiatingUser]).toBe(body.InitiatingUserId);
    } finally {
      await client.close();
    }
  });
});
