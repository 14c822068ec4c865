import { test } from "vitest";
import { schemaErrors } from "../../../src/playbook/schema.js";
test("s", () => {
console.log(schemaErrors({name:"x",hosts:"all",steps:[{name:"a",check:"true",apply:[{copyy:{dest:"/x"}}]}]}).map(e=>[e.instancePath,e.schemaPath,e.keyword,e.message]));
});
