// Form posts behind CloudFront OAC: marked forms are sent with their body's SHA-256 (`Page::module("src/forms.ts")`).
import { startAwsOacFormTransport } from "facetheory-client";

startAwsOacFormTransport();
