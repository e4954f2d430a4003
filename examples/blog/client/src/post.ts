// A post page: the likes counter island, and the comment form sent through CloudFront OAC with its body hash.
import { startAwsOacFormTransport } from "facetheory-client";
import "./counter";

startAwsOacFormTransport();
