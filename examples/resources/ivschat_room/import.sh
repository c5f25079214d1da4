# A room is imported by its ARN.
terraform import ivschat_room.lobby arn:aws:ivschat:us-east-1:123456789012:room/g1H2I3j4k5L6
